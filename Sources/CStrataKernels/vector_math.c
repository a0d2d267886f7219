// Elementwise exp, tanh and erf over float arrays through glibc's vector math library (libmvec);
// see include/strata_kernels.h.
#include "strata_kernels.h"

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
