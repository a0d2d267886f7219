/// An elementwise function of one float, in scalar and 8-lane SIMD form.
///
/// Conforming types are small structs whose stored properties are the function's parameters (a
/// slope, an exponent, bounds); `MapKernel` is generic over them, so every map is specialized and its
/// function inlined on every path, also when the work is split over threads. The SIMD form must give
/// the same bits as the scalar form lane by lane.
protocol UnaryFunction {
    /// The function of one value.
    func scalar(_ x: Float) -> Float
    /// The function of eight values; by default `scalar` lane by lane.
    func vector(_ x: SIMD8<Float>) -> SIMD8<Float>
}

extension UnaryFunction {
    /// `scalar` lane by lane, for functions without a SIMD form (the libm calls exp, log, tanh, erf).
    @inline(__always)
    func vector(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var result = SIMD8<Float>()
        for lane in 0..<8 { result[lane] = scalar(x[lane]) }
        return result
    }
}

/// Elementwise maps over dense tensors, split across cores when large, specialized for each
/// `UnaryFunction` or `BinaryFunction` and vectorized eight lanes at a time.
enum MapKernel {
    /// `f` applied to every element of `x`, into a new dense tensor of the same shape.
    @inline(__always)
    static func unary<F: UnaryFunction>(_ x: Tensor, _ f: F) -> Tensor {
        let input = x.contiguousStorageView()
        let result = Tensor(uninitializedShape: x.shape)
        let source = input.pointer, out = result.pointer
        ThreadPolicy.parallelFor(count: result.count, minimumPerThread: 1 << 16) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let value = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: f.vector(value), as: SIMD8<Float>.self)
                i += 8
            }
            while i < range.upperBound {
                out[i] = f.scalar(source[i])
                i += 1
            }
        }
        return result
    }

    /// `f` applied to matching elements of `a` and `b` (same shape), into a new dense tensor.
    static func binary<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, op: StaticString, _ f: F) -> Tensor {
        precondition(a.shape == b.shape, "\(op): shapes \(a.shape) and \(b.shape) differ")
        return BinaryKernel.apply(f, a.contiguousStorageView(), b.contiguousStorageView(), op: op)
    }
}
