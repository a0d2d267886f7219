// Vectorized optimizer updates; see include/strata_kernels.h.
#include "strata_kernels.h"
#include "strata_clones.h"

// Keep a*b + c as two roundings, as in the Swift reference updates.
#pragma clang fp contract(off)

/// sqrt without errno, so the loops vectorize.
#define STRATA_SQRT(x) __builtin_elementwise_sqrt(x)

/// One Adam pass; inlined twice with `amsgrad` a constant, so each copy is a branch-free loop.
static inline __attribute__((always_inline)) void adam_loop(
    float *restrict p, const float *restrict g, float *restrict m, float *restrict v, float *restrict vmax,
    ptrdiff_t start, ptrdiff_t end, const strata_adam_scalars *s, const int amsgrad) {
    const float step_size = s->step_size, correction2_root = s->correction2_root, shrink = s->shrink;
    const float l2 = s->l2, beta2 = s->beta2, one_minus_beta1 = s->one_minus_beta1;
    const float one_minus_beta2 = s->one_minus_beta2, eps = s->epsilon;
    for (ptrdiff_t i = start; i < end; i++) {
        const float parameter = p[i];
        const float gradient = g[i] + l2 * parameter;
        const float mean = m[i] + one_minus_beta1 * (gradient - m[i]);
        const float square = v[i] * beta2 + one_minus_beta2 * gradient * gradient;
        m[i] = mean;
        v[i] = square;
        float second = square;
        if (amsgrad) {
            second = vmax[i] > square ? vmax[i] : square;
            vmax[i] = second;
        }
        const float denominator = STRATA_SQRT(second) / correction2_root + eps;
        p[i] = parameter * shrink - step_size * mean / denominator;
    }
}

STRATA_CLONES
void strata_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                        float *restrict vmax, ptrdiff_t start, ptrdiff_t end, const strata_adam_scalars *s) {
    if (vmax) {
        adam_loop(p, g, m, v, vmax, start, end, s, 1);
    } else {
        adam_loop(p, g, m, v, vmax, start, end, s, 0);
    }
}

STRATA_CLONES
void strata_rmsprop_update(float *restrict p, const float *restrict g, float *restrict square,
                           float *restrict buffer, float *restrict mean, ptrdiff_t start, ptrdiff_t end,
                           const strata_rmsprop_scalars *s) {
    const float lr = s->learning_rate, wd = s->weight_decay, alpha = s->alpha;
    const float one_minus_alpha = s->one_minus_alpha, eps = s->epsilon, mu = s->momentum;
    if (!mean && !buffer) {
        for (ptrdiff_t i = start; i < end; i++) {
            const float parameter = p[i];
            const float gradient = g[i] + wd * parameter;
            const float sq = square[i] * alpha + one_minus_alpha * gradient * gradient;
            square[i] = sq;
            const float root = STRATA_SQRT(sq) + eps;
            p[i] = parameter - lr * gradient / root;
        }
        return;
    }
    for (ptrdiff_t i = start; i < end; i++) {
        const float parameter = p[i];
        const float gradient = g[i] + wd * parameter;
        const float sq = square[i] * alpha + one_minus_alpha * gradient * gradient;
        square[i] = sq;
        float root;
        if (mean) {
            const float average = mean[i] + one_minus_alpha * (gradient - mean[i]);
            mean[i] = average;
            root = STRATA_SQRT(sq - average * average);
        } else {
            root = STRATA_SQRT(sq);
        }
        root += eps;
        if (buffer) {
            const float b = buffer[i] * mu + gradient / root;
            buffer[i] = b;
            p[i] = parameter - lr * b;
        } else {
            p[i] = parameter - lr * gradient / root;
        }
    }
}

STRATA_CLONES
void strata_adagrad_update(float *restrict p, const float *restrict g, float *restrict sum, ptrdiff_t start,
                           ptrdiff_t end, float lr, float wd, float epsilon) {
    for (ptrdiff_t i = start; i < end; i++) {
        const float parameter = p[i];
        const float gradient = g[i] + wd * parameter;
        const float total = sum[i] + gradient * gradient;
        sum[i] = total;
        p[i] = parameter - lr * gradient / (STRATA_SQRT(total) + epsilon);
    }
}
