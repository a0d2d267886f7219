// Kernels in C, for what Swift cannot vectorize itself.
//
// Elementwise optimizer updates, so that their square roots vectorize: Swift's
// Float.squareRoot() keeps errno semantics on Linux and runs lane by lane. Each function updates
// elements [start, end) and is compiled for AVX-512, AVX2 and baseline x86-64 (picked at load time).
// The arithmetic is the same, operation for operation and without fused multiply-adds, as the Swift
// updates in StrataNN that they replace, so results do not depend on which variant runs.
//
// exp, tanh and erf over arrays through glibc's vector math library (libmvec), for the activations:
// scalar libm calls cost 10-40 times as much per value.
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

/// Which vector math runs: 2 = libmvec's AVX-512 functions, 1 = its AVX2 functions, 0 = scalar libm
/// (no AVX2, not x86_64, or the environment variable STRATA_VECTOR_MATH=scalar; =avx2 keeps to the
/// AVX2 functions). Fixed per process.
int strata_vector_math_level(void);

/// y[i] = e^x[i] for i in [0, n), through glibc's vector math library (libmvec, within 4 ulp; every
/// element, the tail included, goes through the same vector function, so a value's result does not
/// depend on where it sits). `x` and `y` may be the same array.
void strata_exp(const float *x, float *y, ptrdiff_t n);

/// y[i] = tanh(x[i]), as `strata_exp`.
void strata_tanh(const float *x, float *y, ptrdiff_t n);

/// y[i] = erf(x[i]), as `strata_exp`.
void strata_erf(const float *x, float *y, ptrdiff_t n);

/// The logistic function: with e = exp(−|x|), y = 1 / (1 + e) for x ≥ 0 and e / (1 + e) otherwise.
/// Like the activations below, exp and erf through `strata_exp`/`strata_erf`, the arithmetic around
/// them vectorized (AVX-512, AVX2 or baseline, no fused multiply-adds); `y` may be `x`.
void strata_sigmoid(const float *x, float *y, ptrdiff_t n);

/// ELU: y = x for x > 0, else alpha · (exp(x) − 1).
void strata_elu(const float *x, float *y, ptrdiff_t n, float alpha);

/// The exact GELU: y = 0.5 · x · (1 + erf(x / √2)).
void strata_gelu(const float *x, float *y, ptrdiff_t n);

/// GELU's backward: y = g · (Φ(x) + x · φ(x)), Φ(x) = 0.5 · (1 + erf(x / √2)), φ(x) = exp(−x²/2) / √(2π).
void strata_gelu_backward(const float *g, const float *x, float *y, ptrdiff_t n);

// Retrieval (StrataRetrieval): scores are "higher is better", the inner product q·x or, for L2,
// 2q·x − ‖x‖² (which ranks like the squared distance ‖q‖² + ‖x‖² − 2q·x). 16 lanes, fixed order,
// no fused multiply-adds: every variant gives the same bits.

/// For each row r of `product (rows, columns)` of inner products, the column j of highest score
/// (`product[r][j]`, or `2·product[r][j] − norms[j]` when `norms` is not NULL), ties to the lower
/// column; offered to row r's best so far: it replaces (`best_scores[r]`, `best_indices[r]`) when its
/// score is higher, or equal with a lower index `first_index + j`. Start from −∞ and PTRDIFF_MAX.
void strata_offer_row_best(const float *product, ptrdiff_t rows, ptrdiff_t columns, const float *norms,
                           ptrdiff_t first_index, float *best_scores, ptrdiff_t *best_indices);

/// scores[i] = query·x_i for the `count` rows x_i of `vectors (count, dimension)`, or
/// 2·query·x_i − norms[i] when `norms` is not NULL.
void strata_query_scores(const float *query, const float *vectors, ptrdiff_t count, ptrdiff_t dimension,
                         const float *norms, float *scores);

/// Offers every score of each row r of `product (rows, columns)` (`product[r][j]`, or
/// `2·product[r][j] − norms[j]` when `norms` is not NULL), with index `first_index + j`, to row r's
/// bounded top-k heap: `k` (score, index) entries at `heap_scores + slot`/`heap_indices + slot`, where
/// slot is `slots[r]`, or `r·k` when `slots` is NULL; the root (entry 0) is the worst kept entry,
/// higher scores and then lower indices are better, empty entries are (−∞, PTRDIFF_MAX). The same
/// heaps, bit for bit, as converting the row and pushing each score in turn (TopKHeap).
void strata_offer_top_k(const float *product, ptrdiff_t rows, ptrdiff_t columns, const float *norms,
                        ptrdiff_t first_index, const ptrdiff_t *slots, float *heap_scores, ptrdiff_t *heap_indices,
                        ptrdiff_t k);

/// The scores of `strata_query_scores` for one query against the `count` rows of `vectors`, offered
/// as they are computed, vector i with index `first_index + i`, to one heap of `k` entries laid out as
/// in `strata_offer_top_k`.
void strata_scan_top_k(const float *query, const float *vectors, ptrdiff_t count, ptrdiff_t dimension,
                       const float *norms, ptrdiff_t first_index, float *heap_scores, ptrdiff_t *heap_indices,
                       ptrdiff_t k);

/// Returns the C allocator's free pages to the system (glibc's malloc_trim(0)); 1 if any memory was
/// released, 0 otherwise or where the C library has no such call.
int strata_release_free_memory(void);

/// Sets (on != 0) or clears the calling thread's flush-to-zero and denormals-are-zero modes (x86 MXCSR);
/// threads it creates afterwards inherit them. Returns 1 where supported, 0 elsewhere.
int strata_set_flush_denormals(int on);

#endif
