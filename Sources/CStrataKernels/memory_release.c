// Giving freed memory back to the system, for StrataCore's BufferPool: glibc's malloc_trim is not
// visible from Swift's Glibc module, so it is reached through this one C function.
#include "strata_kernels.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int strata_release_free_memory(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
