/// Elementwise maps over dense tensors, split across cores when large.
enum MapKernel {
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
