import CStrataKernels

/// exp, tanh and erf over float arrays through glibc's vector math library (libmvec), for the
/// activations built on them (tanh, sigmoid, ELU, GELU); see `strata_kernels.h`.
///
/// Every value goes through the same vector function, the tail of an array included, so a value's
/// result does not depend on its position or on how the work is split over threads. libmvec's
/// functions are within 4 ulp of the exact result (`ElementwiseFunctionTests` checks them against
/// Double-precision libm; measured worst cases with AVX-512: exp 2.4, tanh 1.4, erf 4.0 ulp); on a CPU without AVX2, or with `STRATA_VECTOR_MATH=scalar`, the plain libm
/// functions run instead (`STRATA_VECTOR_MATH=avx2` keeps to the AVX2 ones).
enum VectorMath {
    /// Values per chunk for maps that combine array calls with arithmetic (temporaries on the stack).
    static let chunk = 256

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

    /// Eight floats from `pointer`.
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores eight floats at `pointer`.
    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// Calls `vector(j)` for j = 0, 8, 16, … while eight values remain in `0..<count`, then `scalar(j)`
    /// for each value left: the two must compute the same thing, a SIMD vector or one value at `j`.
    @inline(__always)
    static func forEach(_ count: Int, vector: (Int) -> Void, scalar: (Int) -> Void) {
        var j = 0
        while j + 8 <= count { vector(j); j += 8 }
        while j < count { scalar(j); j += 1 }
    }

    /// Calls `body(start, n, first, second)` for consecutive chunks `start..<start + n` of
    /// `0..<count`, with two temporary buffers of `chunk` floats each.
    @inline(__always)
    static func chunks(count: Int,
                       _ body: (Int, Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * chunk) { buffer in
            let first = buffer.baseAddress!, second = first + chunk
            var start = 0
            while start < count {
                let n = Swift.min(chunk, count - start)
                body(start, n, first, second)
                start += n
            }
        }
    }
}
