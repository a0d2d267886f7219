import CStrataKernels

/// exp, tanh and erf over float arrays through glibc's vector math library (libmvec), and the
/// activations built on them (sigmoid, ELU, GELU and its backward) computed in C around those calls,
/// vectorized at the CPU's width; see `strata_kernels.h`.
///
/// Every value goes through the same vector function, the tail of an array included, so a value's
/// result does not depend on its position or on how the work is split over threads. libmvec's
/// functions are within 4 ulp of the exact result (`ElementwiseFunctionTests` checks them against
/// Double-precision libm; measured worst cases with AVX-512: exp 2.4, tanh 1.4, erf 4.0 ulp); on a
/// CPU without AVX2, or with `STRATA_VECTOR_MATH=scalar`, the plain libm functions run instead
/// (`STRATA_VECTOR_MATH=avx2` keeps to the AVX2 ones).
enum VectorMath {
    /// Which functions run: 2 for libmvec's AVX-512 ones, 1 for its AVX2 ones, 0 for scalar libm.
    static var level: Int { Int(strata_vector_math_level()) }

    /// `out[i] = e^x[i]` for `count` values (`out` may be `x`).
    @inline(__always)
    static func exp(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        strata_exp(x, out, count)
    }

    /// `out[i] = tanh(x[i])` for `count` values (`out` may be `x`).
    @inline(__always)
    static func tanh(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        strata_tanh(x, out, count)
    }

    /// `out[i] = erf(x[i])` for `count` values (`out` may be `x`).
    @inline(__always)
    static func erf(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        strata_erf(x, out, count)
    }

    /// The logistic function over `count` values (see `strata_sigmoid`; `out` may be `x`).
    @inline(__always)
    static func sigmoid(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        strata_sigmoid(x, out, count)
    }

    /// ELU with `alpha` over `count` values (see `strata_elu`; `out` may be `x`).
    @inline(__always)
    static func elu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, alpha: Float) {
        strata_elu(x, out, count, alpha)
    }

    /// The exact GELU over `count` values (see `strata_gelu`; `out` may be `x`).
    @inline(__always)
    static func gelu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        strata_gelu(x, out, count)
    }

    /// GELU's backward `g · (Φ(x) + x · φ(x))` over `count` values (see `strata_gelu_backward`).
    @inline(__always)
    static func geluBackward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             count: Int) {
        strata_gelu_backward(g, x, out, count)
    }
}
