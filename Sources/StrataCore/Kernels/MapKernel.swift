/// An elementwise function of one float, in scalar and 8-lane SIMD form.
protocol UnaryFunction {
    static func scalar(_ x: Float) -> Float
    static func vector(_ x: SIMD8<Float>) -> SIMD8<Float>
}

/// max(x, 0), with NaN mapped to 0.
enum ReLUFunction: UnaryFunction {
    @inline(__always) static func scalar(_ x: Float) -> Float { x > 0 ? x : 0 }
    @inline(__always) static func vector(_ x: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>().replacing(with: x, where: x .> SIMD8<Float>())
    }
}

/// ReLU's backward from its output: the gradient g where y > 0, else 0.
enum ReLUGradientFunction: BinaryFunction {
    @inline(__always) static func scalar(_ g: Float, _ y: Float) -> Float { y > 0 ? g : 0 }
    @inline(__always) static func vector(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>().replacing(with: g, where: y .> SIMD8<Float>())
    }
}

/// Elementwise maps over dense tensors, split across cores when large.
///
/// The closure forms call `f` once per element when the work is split over threads (the closure
/// reaches the worker through a captured context the optimizer cannot see through); the forms over a
/// `UnaryFunction` or `BinaryFunction` type are specialized and vectorized on every path, so the
/// hottest maps (ReLU) use them.
enum MapKernel {
    /// `F` applied to every element of `x`, into a new dense tensor of the same shape.
    @inline(__always)
    static func unary<F: UnaryFunction>(_ x: Tensor, _ f: F.Type) -> Tensor {
        let input = x.contiguousStorageView()
        let result = Tensor(uninitializedShape: x.shape)
        let source = input.pointer, out = result.pointer
        ThreadPolicy.parallelFor(count: result.count, minimumPerThread: 1 << 16) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let value = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: F.vector(value), as: SIMD8<Float>.self)
                i += 8
            }
            while i < range.upperBound {
                out[i] = F.scalar(source[i])
                i += 1
            }
        }
        return result
    }

    /// `F` applied to matching elements of `a` and `b` (same shape), into a new dense tensor.
    static func binary<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, op: StaticString, _ f: F.Type) -> Tensor {
        precondition(a.shape == b.shape, "\(op): shapes \(a.shape) and \(b.shape) differ")
        return BinaryKernel.apply(f, a.contiguousStorageView(), b.contiguousStorageView(), op: op)
    }

    /// `f` applied to every element of `x`, into a new dense tensor of the same shape.
    @inline(__always)
    static func unary(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let input = x.contiguousStorageView()
        let result = Tensor(uninitializedShape: x.shape)
        let source = input.pointer, out = result.pointer
        ThreadPolicy.parallelFor(count: result.count, minimumPerThread: 1 << 16) { range in
            for i in range { out[i] = f(source[i]) }
        }
        return result
    }

    /// `f` applied to matching elements of `a` and `b` (same shape), into a new dense tensor.
    @inline(__always)
    static func binary(_ a: Tensor, _ b: Tensor, op: StaticString, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(a.shape == b.shape, "\(op): shapes \(a.shape) and \(b.shape) differ")
        let denseA = a.contiguousStorageView(), denseB = b.contiguousStorageView()
        let result = Tensor(uninitializedShape: a.shape)
        let pa = denseA.pointer, pb = denseB.pointer, out = result.pointer
        ThreadPolicy.parallelFor(count: result.count, minimumPerThread: 1 << 16) { range in
            for i in range { out[i] = f(pa[i], pb[i]) }
        }
        return result
    }
}
