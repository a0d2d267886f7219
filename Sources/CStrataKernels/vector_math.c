// Elementwise exp, tanh and erf over float arrays through glibc's vector math library (libmvec);
// see include/strata_kernels.h.
#include "strata_kernels.h"
#include "strata_clones.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

// libmvec's entry points (x86_64 vector function ABI: 'e' = AVX-512 16 lanes, 'd' = AVX2 8 lanes).
__attribute__((target("avx512f"))) __m512 _ZGVeN16v_expf(__m512);
__attribute__((target("avx512f"))) __m512 _ZGVeN16v_tanhf(__m512);
__attribute__((target("avx512f"))) __m512 _ZGVeN16v_erff(__m512);
__attribute__((target("avx2"))) __m256 _ZGVdN8v_expf(__m256);
__attribute__((target("avx2"))) __m256 _ZGVdN8v_tanhf(__m256);
__attribute__((target("avx2"))) __m256 _ZGVdN8v_erff(__m256);

// n values through a 16-lane function; the tail goes through it too, masked, so every value gets
// the same computation wherever it sits in the array.
#define STRATA_AVX512_LOOP(name, function)                                                          \
    __attribute__((target("avx512f"))) static void name(const float *x, float *y, ptrdiff_t n) {    \
        ptrdiff_t i = 0;                                                                             \
        for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, function(_mm512_loadu_ps(x + i)));     \
        if (i < n) {                                                                                 \
            const __mmask16 mask = (__mmask16)((1u << (n - i)) - 1);                                 \
            _mm512_mask_storeu_ps(y + i, mask, function(_mm512_maskz_loadu_ps(mask, x + i)));       \
        }                                                                                            \
    }

// The same with 8 lanes; the tail is copied into a zeroed vector.
#define STRATA_AVX2_LOOP(name, function)                                                            \
    __attribute__((target("avx2"))) static void name(const float *x, float *y, ptrdiff_t n) {       \
        ptrdiff_t i = 0;                                                                             \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, function(_mm256_loadu_ps(x + i)));       \
        if (i < n) {                                                                                 \
            float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                               \
            for (ptrdiff_t j = 0; j < n - i; j++) lanes[j] = x[i + j];                               \
            _mm256_storeu_ps(lanes, function(_mm256_loadu_ps(lanes)));                               \
            for (ptrdiff_t j = 0; j < n - i; j++) y[i + j] = lanes[j];                               \
        }                                                                                            \
    }

STRATA_AVX512_LOOP(exp16, _ZGVeN16v_expf)
STRATA_AVX512_LOOP(tanh16, _ZGVeN16v_tanhf)
STRATA_AVX512_LOOP(erf16, _ZGVeN16v_erff)
STRATA_AVX2_LOOP(exp8, _ZGVdN8v_expf)
STRATA_AVX2_LOOP(tanh8, _ZGVdN8v_tanhf)
STRATA_AVX2_LOOP(erf8, _ZGVdN8v_erff)

/// 2 with AVX-512, 1 with AVX2, 0 otherwise; STRATA_VECTOR_MATH=scalar forces 0 and =avx2 at most 1.
static int detected_level(void) {
    const char *setting = getenv("STRATA_VECTOR_MATH");
    if (setting && strcmp(setting, "scalar") == 0) return 0;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && !(setting && strcmp(setting, "avx2") == 0)) return 2;
    if (__builtin_cpu_supports("avx2")) return 1;
    return 0;
}
#else
static int detected_level(void) { return 0; }
#endif

int strata_vector_math_level(void) {
    // Computed once; a race between threads only writes the same value twice.
    static int level = -1;
    if (level < 0) level = detected_level();
    return level;
}

#define STRATA_DISPATCH(name, wide, narrow, scalar)                                                 \
    void name(const float *x, float *y, ptrdiff_t n) {                                               \
        switch (strata_vector_math_level()) {                                                        \
        case 2: STRATA_IF_X86(wide(x, y, n)); return;                                                \
        case 1: STRATA_IF_X86(narrow(x, y, n)); return;                                              \
        default: for (ptrdiff_t i = 0; i < n; i++) y[i] = scalar(x[i]);                              \
        }                                                                                            \
    }

#if defined(__x86_64__) && defined(__clang__)
#define STRATA_IF_X86(call) call
#else
#define STRATA_IF_X86(call) ((void)0)
#endif

STRATA_DISPATCH(strata_exp, exp16, exp8, expf)
STRATA_DISPATCH(strata_tanh, tanh16, tanh8, tanhf)
STRATA_DISPATCH(strata_erf, erf16, erf8, erff)

// The activations built on exp and erf, a chunk at a time: the libmvec call, then the arithmetic
// around it, vectorized for AVX-512, AVX2 or baseline x86-64 (picked at load time). No fused
// multiply-adds, so every variant gives the bits of the scalar formulas in the comments.
#pragma clang fp contract(off)

/// Values per chunk; the temporaries live on the stack.
#define STRATA_CHUNK 256

STRATA_CLONES
void strata_sigmoid(const float *x, float *y, ptrdiff_t n) {
    float e[STRATA_CHUNK];
    for (ptrdiff_t start = 0; start < n; start += STRATA_CHUNK) {
        const ptrdiff_t m = n - start < STRATA_CHUNK ? n - start : STRATA_CHUNK;
        const float *xs = x + start;
        float *ys = y + start;
        for (ptrdiff_t j = 0; j < m; j++) e[j] = -fabsf(xs[j]);
        strata_exp(e, e, m);
        // 1 / (1 + e) for x >= 0, e / (1 + e) otherwise, with e = exp(-|x|).
        for (ptrdiff_t j = 0; j < m; j++) {
            const float d = 1 + e[j], positive = 1 / d, negative = e[j] / d;
            ys[j] = xs[j] >= 0 ? positive : negative;
        }
    }
}

STRATA_CLONES
void strata_elu(const float *x, float *y, ptrdiff_t n, float alpha) {
    float e[STRATA_CHUNK];
    for (ptrdiff_t start = 0; start < n; start += STRATA_CHUNK) {
        const ptrdiff_t m = n - start < STRATA_CHUNK ? n - start : STRATA_CHUNK;
        const float *xs = x + start;
        float *ys = y + start;
        strata_exp(xs, e, m);
        // x for x > 0, alpha * (exp(x) - 1) otherwise.
        for (ptrdiff_t j = 0; j < m; j++) {
            const float negative = alpha * (e[j] - 1);
            ys[j] = xs[j] > 0 ? xs[j] : negative;
        }
    }
}

/// 1/√2 and √(2π) as floats (the bits of Swift's Float(0.5).squareRoot() and Float(2 * .pi).squareRoot()).
static const float inverse_sqrt2 = 0.70710678118654752f;
#define STRATA_SQRT_2PI sqrtf(2.0f * (float)M_PI)

STRATA_CLONES
void strata_gelu(const float *x, float *y, ptrdiff_t n) {
    float t[STRATA_CHUNK];
    for (ptrdiff_t start = 0; start < n; start += STRATA_CHUNK) {
        const ptrdiff_t m = n - start < STRATA_CHUNK ? n - start : STRATA_CHUNK;
        const float *xs = x + start;
        float *ys = y + start;
        for (ptrdiff_t j = 0; j < m; j++) t[j] = xs[j] * inverse_sqrt2;
        strata_erf(t, t, m);
        // 0.5 * x * (1 + erf(x / sqrt(2)))
        for (ptrdiff_t j = 0; j < m; j++) ys[j] = 0.5f * xs[j] * (1 + t[j]);
    }
}

STRATA_CLONES
void strata_gelu_backward(const float *g, const float *x, float *y, ptrdiff_t n) {
    float t[STRATA_CHUNK], e[STRATA_CHUNK];
    const float sqrt_2pi = STRATA_SQRT_2PI;
    for (ptrdiff_t start = 0; start < n; start += STRATA_CHUNK) {
        const ptrdiff_t m = n - start < STRATA_CHUNK ? n - start : STRATA_CHUNK;
        const float *gs = g + start, *xs = x + start;
        float *ys = y + start;
        for (ptrdiff_t j = 0; j < m; j++) {
            t[j] = xs[j] * inverse_sqrt2;
            e[j] = -0.5f * xs[j] * xs[j];
        }
        strata_erf(t, t, m);
        strata_exp(e, e, m);
        // g * (cdf + x * pdf), cdf = 0.5 * (1 + erf(x / sqrt(2))), pdf = exp(-x²/2) / sqrt(2π)
        for (ptrdiff_t j = 0; j < m; j++) {
            const float cdf = 0.5f * (1 + t[j]), pdf = e[j] / sqrt_2pi;
            ys[j] = gs[j] * (cdf + xs[j] * pdf);
        }
    }
}
