// STRATA_CLONES: compile a kernel for AVX-512, AVX2 and baseline x86-64, the variant picked when the
// library loads (an ifunc). Shared by the kernel files; not part of the public header.
#ifndef STRATA_CLONES_H
#define STRATA_CLONES_H

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
// ThreadSanitizer instruments the ifunc resolvers that target_clones makes, and the dynamic loader
// runs them before TSan's runtime is set up: the process crashes at load. Under TSan the kernels are
// compiled once, for baseline x86-64 (the same source, so the same memory accesses are checked).
#define STRATA_NO_CLONES 1
#endif
#endif

#if defined(__x86_64__) && defined(__clang__) && !defined(STRATA_NO_CLONES)
#define STRATA_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define STRATA_CLONES
#endif

#endif
