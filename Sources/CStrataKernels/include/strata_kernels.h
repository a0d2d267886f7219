// Elementwise optimizer updates in C, so that their square roots vectorize: Swift's
// Float.squareRoot() keeps errno semantics on Linux and runs lane by lane. Each function updates
// elements [start, end) and is compiled for AVX-512, AVX2 and baseline x86-64 (picked at load time).
// The arithmetic is the same, operation for operation and without fused multiply-adds, as the Swift
// updates in StrataNN that they replace, so results do not depend on which variant runs.
#ifndef STRATA_KERNELS_H
#define STRATA_KERNELS_H

#include <stddef.h>

/// The per-step scalars of an Adam update (see StrataNN's Adam).
typedef struct {
    float step_size;          ///< lr / (1 − β1^t)
    float correction2_root;   ///< sqrt(1 − β2^t)
    float shrink;             ///< 1 − lr·wd for AdamW, else 1
    float l2;                 ///< wd for Adam's L2 penalty, else 0
    float beta2;              ///< β2
    float one_minus_beta1;    ///< 1 − β1
    float one_minus_beta2;    ///< 1 − β2
    float epsilon;            ///< ε, added to the bias-corrected root
} strata_adam_scalars;

/// Adam/AdamW: updates parameters `p`, first moments `m`, second moments `v` and, when not NULL, the
/// running maximum `vmax` of the second moments (AMSGrad), from gradients `g`.
void strata_adam_update(float *p, const float *g, float *m, float *v, float *vmax,
                        ptrdiff_t start, ptrdiff_t end, const strata_adam_scalars *s);

/// The per-step scalars of an RMSprop update (see StrataNN's RMSprop).
typedef struct {
    float learning_rate;      ///< lr
    float weight_decay;       ///< wd (L2 penalty added to the gradient)
    float alpha;              ///< the decay of the running mean of squares
    float one_minus_alpha;    ///< 1 − alpha
    float epsilon;            ///< ε, added to the root
    float momentum;           ///< μ (used when `buffer` is not NULL)
} strata_rmsprop_scalars;

/// RMSprop: updates parameters `p` and mean squares `square`, plus the momentum `buffer` and the
/// centred mean `mean` when they are not NULL, from gradients `g`.
void strata_rmsprop_update(float *p, const float *g, float *square, float *buffer, float *mean,
                           ptrdiff_t start, ptrdiff_t end, const strata_rmsprop_scalars *s);

/// Adagrad: updates parameters `p` and sums of squares `sum` from gradients `g`, with learning rate
/// `lr` (already decayed), L2 penalty `wd` and `epsilon` added to the root.
void strata_adagrad_update(float *p, const float *g, float *sum, ptrdiff_t start, ptrdiff_t end,
                           float lr, float wd, float epsilon);

#endif
