// Retrieval kernels for StrataRetrieval: the best column of each row of a product block (k-means
// assignment, top-1 search), the top k of each row of a product block (exact and batched IVF
// search), and one query's scores against a run of stored vectors, alone or straight into a top-k
// heap (IVF lists, one-query search); see include/strata_kernels.h.
//
// All work on 16 independent lanes with a fixed order of operations and no fused multiply-adds,
// so the AVX-512, AVX2 and baseline variants give the same bits.
#include "strata_kernels.h"
#include "strata_clones.h"

#include <math.h>

#pragma clang fp contract(off)

/// Lanes per step: one AVX-512 register, two AVX2 ones.
#define LANES 16

/// The best column of one row by the score `score(j)`, ties to the lower column: each lane keeps
/// its best of columns l, l + 16, …, (strictly greater replaces, so a lane keeps its lowest column
/// of equal scores), then the lanes are combined and the tail scanned in order.
#define STRATA_ROW_BEST(score)                                                                     \
    do {                                                                                           \
        float lane_best[LANES];                                                                    \
        int lane_column[LANES];                                                                    \
        for (int l = 0; l < LANES; l++) {                                                          \
            lane_best[l] = -INFINITY;                                                              \
            lane_column[l] = l;                                                                    \
        }                                                                                          \
        ptrdiff_t j = 0;                                                                           \
        for (; j + LANES <= columns; j += LANES) {                                                 \
            for (int l = 0; l < LANES; l++) {                                                      \
                const float s = score(j + l);                                                      \
                const int better = s > lane_best[l];                                               \
                lane_best[l] = better ? s : lane_best[l];                                          \
                lane_column[l] = better ? (int)(j + l) : lane_column[l];                           \
            }                                                                                      \
        }                                                                                          \
        best = lane_best[0];                                                                       \
        column = lane_column[0];                                                                   \
        for (int l = 1; l < LANES; l++) {                                                          \
            if (lane_best[l] > best || (lane_best[l] == best && lane_column[l] < column)) {        \
                best = lane_best[l];                                                               \
                column = lane_column[l];                                                           \
            }                                                                                      \
        }                                                                                          \
        for (; j < columns; j++) {                                                                 \
            const float s = score(j);                                                              \
            if (s > best) {                                                                        \
                best = s;                                                                          \
                column = j;                                                                        \
            }                                                                                      \
        }                                                                                          \
    } while (0)

STRATA_CLONES
void strata_offer_row_best(const float *restrict product, ptrdiff_t rows, ptrdiff_t columns,
                           const float *restrict norms, ptrdiff_t first_index,
                           float *restrict best_scores, ptrdiff_t *restrict best_indices) {
    if (columns <= 0) return;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *restrict line = product + r * columns;
        float best;
        ptrdiff_t column;
        if (norms) {
#define STRATA_L2_SCORE(j) (2 * line[j] - norms[j])
            STRATA_ROW_BEST(STRATA_L2_SCORE);
#undef STRATA_L2_SCORE
        } else {
#define STRATA_IP_SCORE(j) (line[j])
            STRATA_ROW_BEST(STRATA_IP_SCORE);
#undef STRATA_IP_SCORE
        }
        const ptrdiff_t index = first_index + column;
        if (best > best_scores[r] || (best == best_scores[r] && index < best_indices[r])) {
            best_scores[r] = best;
            best_indices[r] = index;
        }
    }
}

/// 16 floats as one vector (one AVX-512 register, two AVX2 ones, four SSE ones).
typedef float strata_f16 __attribute__((ext_vector_type(16)));
typedef float strata_f8 __attribute__((ext_vector_type(8)));
typedef float strata_f4 __attribute__((ext_vector_type(4)));
typedef float strata_f2 __attribute__((ext_vector_type(2)));

/// query·x over `dimension` coordinates on 16 lanes: lane l sums coordinates l, l + 16, … in order
/// (a last partial step pads with zeros), then the lanes are summed by a fixed tree (halves,
/// quarters, eighths, the last two). Vectors stay inside: none crosses a call between variants.
static inline __attribute__((always_inline)) float lane_dot(const float *restrict query, const float *restrict x,
                                                             ptrdiff_t dimension) {
    strata_f16 total = 0, q, v;
    ptrdiff_t j = 0;
    for (; j + LANES <= dimension; j += LANES) {
        __builtin_memcpy(&q, query + j, sizeof q);
        __builtin_memcpy(&v, x + j, sizeof v);
        total += q * v;
    }
    if (j < dimension) {
        float q_tail[LANES] = {0}, x_tail[LANES] = {0};
        for (ptrdiff_t l = 0; j + l < dimension; l++) {
            q_tail[l] = query[j + l];
            x_tail[l] = x[j + l];
        }
        __builtin_memcpy(&q, q_tail, sizeof q);
        __builtin_memcpy(&v, x_tail, sizeof v);
        total += q * v;
    }
    const strata_f8 a = total.lo + total.hi;
    const strata_f4 b = a.lo + a.hi;
    const strata_f2 c = b.lo + b.hi;
    return c.x + c.y;
}

STRATA_CLONES
void strata_query_scores(const float *restrict query, const float *restrict vectors, ptrdiff_t count,
                         ptrdiff_t dimension, const float *restrict norms, float *restrict scores) {
    ptrdiff_t i = 0;
    // Four vectors at a time share the query's loads and overlap their sums.
    for (; i + 4 <= count; i += 4) {
        const float *restrict x = vectors + i * dimension;
        const float p0 = lane_dot(query, x, dimension);
        const float p1 = lane_dot(query, x + dimension, dimension);
        const float p2 = lane_dot(query, x + 2 * dimension, dimension);
        const float p3 = lane_dot(query, x + 3 * dimension, dimension);
        scores[i] = norms ? 2 * p0 - norms[i] : p0;
        scores[i + 1] = norms ? 2 * p1 - norms[i + 1] : p1;
        scores[i + 2] = norms ? 2 * p2 - norms[i + 2] : p2;
        scores[i + 3] = norms ? 2 * p3 - norms[i + 3] : p3;
    }
    for (; i < count; i++) {
        const float p = lane_dot(query, vectors + i * dimension, dimension);
        scores[i] = norms ? 2 * p - norms[i] : p;
    }
}

/// Whether entry (s1, i1) ranks below entry (s2, i2): a lower score, or an equal one with a higher
/// index (TopKHeap.isWorse).
static inline __attribute__((always_inline)) int heap_worse(float s1, ptrdiff_t i1, float s2, ptrdiff_t i2) {
    return s1 < s2 || (s1 == s2 && i1 > i2);
}

/// Offers (score, index) to the heap of `k` slots whose root is the worst kept entry (TopKHeap.push).
static inline __attribute__((always_inline)) void heap_push(float score, ptrdiff_t index, float *restrict scores,
                                                            ptrdiff_t *restrict indices, ptrdiff_t k) {
    if (!heap_worse(scores[0], indices[0], score, index)) return;
    ptrdiff_t position = 0;
    for (;;) {
        const ptrdiff_t left = 2 * position + 1;
        if (left >= k) break;
        ptrdiff_t child = left;
        const ptrdiff_t right = left + 1;
        if (right < k && heap_worse(scores[right], indices[right], scores[left], indices[left])) child = right;
        if (heap_worse(score, index, scores[child], indices[child])) break;
        scores[position] = scores[child];
        indices[position] = indices[child];
        position = child;
    }
    scores[position] = score;
    indices[position] = index;
}

/// 16 lane masks, one per float lane of a comparison.
typedef int strata_i16 __attribute__((ext_vector_type(16)));

/// Offers the scores of one row (`line[j]`, or `2·line[j] − norms[j]`) to one heap: 16 lanes are
/// converted and compared with the heap's worst entry at once, and only a step with a lane at or
/// above it goes to the heap, in column order (TopKHeap.push(row:) with the conversion fused).
static inline __attribute__((always_inline)) void offer_row(const float *restrict line, ptrdiff_t columns,
                                                            const float *restrict norms, ptrdiff_t first_index,
                                                            float *restrict scores, ptrdiff_t *restrict indices,
                                                            ptrdiff_t k) {
    float worst = scores[0];
    ptrdiff_t j = 0;
    for (; j + LANES <= columns; j += LANES) {
        strata_f16 s;
        __builtin_memcpy(&s, line + j, sizeof s);
        if (norms) {
            strata_f16 n;
            __builtin_memcpy(&n, norms + j, sizeof n);
            s = 2 * s - n;
        }
        const strata_i16 passes = s >= worst;
        if (!__builtin_reduce_or(passes)) continue;
        float lane[LANES];
        __builtin_memcpy(lane, &s, sizeof lane);
        for (int l = 0; l < LANES; l++) {
            if (lane[l] >= worst) {
                heap_push(lane[l], first_index + j + l, scores, indices, k);
                worst = scores[0];
            }
        }
    }
    for (; j < columns; j++) {
        const float s = norms ? 2 * line[j] - norms[j] : line[j];
        if (s >= worst) {
            heap_push(s, first_index + j, scores, indices, k);
            worst = scores[0];
        }
    }
}

STRATA_CLONES
void strata_offer_top_k(const float *restrict product, ptrdiff_t rows, ptrdiff_t columns,
                        const float *restrict norms, ptrdiff_t first_index, const ptrdiff_t *restrict slots,
                        float *restrict heap_scores, ptrdiff_t *restrict heap_indices, ptrdiff_t k) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const ptrdiff_t slot = slots ? slots[r] : r * k;
        offer_row(product + r * columns, columns, norms, first_index, heap_scores + slot, heap_indices + slot, k);
    }
}

/// Scores per step of `strata_scan_top_k`: a buffer on the stack that stays in L1.
#define SCAN_CHUNK 64

STRATA_CLONES
void strata_scan_top_k(const float *restrict query, const float *restrict vectors, ptrdiff_t count,
                       ptrdiff_t dimension, const float *restrict norms, ptrdiff_t first_index,
                       float *restrict heap_scores, ptrdiff_t *restrict heap_indices, ptrdiff_t k) {
    float line[SCAN_CHUNK];
    for (ptrdiff_t start = 0; start < count; start += SCAN_CHUNK) {
        const ptrdiff_t rows = count - start < SCAN_CHUNK ? count - start : SCAN_CHUNK;
        const float *restrict x = vectors + start * dimension;
        ptrdiff_t i = 0;
        for (; i + 4 <= rows; i += 4) {
            line[i] = lane_dot(query, x + i * dimension, dimension);
            line[i + 1] = lane_dot(query, x + (i + 1) * dimension, dimension);
            line[i + 2] = lane_dot(query, x + (i + 2) * dimension, dimension);
            line[i + 3] = lane_dot(query, x + (i + 3) * dimension, dimension);
        }
        for (; i < rows; i++) line[i] = lane_dot(query, x + i * dimension, dimension);
        offer_row(line, rows, norms ? norms + start : NULL, first_index + start, heap_scores, heap_indices, k);
    }
}
