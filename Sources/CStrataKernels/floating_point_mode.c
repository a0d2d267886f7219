// The calling thread's handling of subnormal floats, for strata-bench's --flush-denormals: SSE's
// MXCSR flush-to-zero (results) and denormals-are-zero (inputs) bits, as TensorFlow and XLA set them.
#include "strata_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

int strata_set_flush_denormals(int on) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int mode = _mm_getcsr();
    mode = on ? (mode | 0x8040u) : (mode & ~0x8040u);  // FTZ (bit 15) and DAZ (bit 6)
    _mm_setcsr(mode);
    return 1;
#else
    (void)on;
    return 0;
#endif
}
