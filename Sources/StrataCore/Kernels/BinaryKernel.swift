/// An elementwise function of two floats, in scalar and 8-lane SIMD form; like `UnaryFunction`, a
/// small struct holding the function's parameters, whose SIMD form gives the scalar form's bits.
protocol BinaryFunction {
    /// The function of one pair of values.
    func scalar(_ a: Float, _ b: Float) -> Float
    /// The function of eight pairs; by default `scalar` lane by lane.
    func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
    /// The function of `count` pairs from `a` and `b` into `out` (which may be `a` or `b`); by
    /// default `vector` eight at a time, then `scalar` for the tail.
    func apply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
}

extension BinaryFunction {
    /// `scalar` lane by lane, for functions without a SIMD form.
    @inline(__always)
    func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        var result = SIMD8<Float>()
        for lane in 0..<8 { result[lane] = scalar(a[lane], b[lane]) }
        return result
    }

    @inline(__always)
    func apply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b), rawOut = UnsafeMutableRawPointer(out)
        while i + 8 <= count {
            let va = rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let vb = rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            rawOut.storeBytes(of: vector(va, vb), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { out[i] = scalar(a[i], b[i]); i += 1 }
    }

    /// `apply` over one pair: the scalar form of a function computed an array at a time.
    @inline(__always)
    func scalarThroughApply(_ a: Float, _ b: Float) -> Float {
        var first = a, second = b, output: Float = 0
        apply(&first, &second, &output, count: 1)
        return output
    }

    /// `apply` over eight pairs: the SIMD form of a function computed an array at a time.
    @inline(__always)
    func vectorThroughApply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        var first = a, second = b, output = SIMD8<Float>()
        withUnsafePointer(to: &first) { firstLanes in
            withUnsafePointer(to: &second) { secondLanes in
                withUnsafeMutablePointer(to: &output) { outputLanes in
                    firstLanes.withMemoryRebound(to: Float.self, capacity: 8) { a in
                        secondLanes.withMemoryRebound(to: Float.self, capacity: 8) { b in
                            outputLanes.withMemoryRebound(to: Float.self, capacity: 8) { apply(a, b, $0, count: 8) }
                        }
                    }
                }
            }
        }
        return output
    }
}

struct AddFunction: BinaryFunction {
    @inline(__always) func scalar(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
}

struct SubtractFunction: BinaryFunction {
    @inline(__always) func scalar(_ a: Float, _ b: Float) -> Float { a - b }
    @inline(__always) func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a - b }
}

struct MultiplyFunction: BinaryFunction {
    @inline(__always) func scalar(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a * b }
}

struct DivideFunction: BinaryFunction {
    @inline(__always) func scalar(_ a: Float, _ b: Float) -> Float { a / b }
    @inline(__always) func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a / b }
}

/// The larger of a and b; NaN when either is NaN (as PyTorch's `maximum`).
struct MaximumFunction: BinaryFunction {
    @inline(__always) func scalar(_ a: Float, _ b: Float) -> Float { a >= b || a.isNaN ? a : b }
    @inline(__always) func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        b.replacing(with: a, where: (a .>= b) .| (a .!= a))
    }
}

/// The smaller of a and b; NaN when either is NaN (as PyTorch's `minimum`).
struct MinimumFunction: BinaryFunction {
    @inline(__always) func scalar(_ a: Float, _ b: Float) -> Float { a <= b || a.isNaN ? a : b }
    @inline(__always) func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        b.replacing(with: a, where: (a .<= b) .| (a .!= a))
    }
}

/// Runs a `BinaryFunction` over two tensors with broadcasting into a new dense tensor.
enum BinaryKernel {
    /// `f(a, b)` elementwise with broadcasting; `op` names the operation in shape errors.
    static func apply<F: BinaryFunction>(_ f: F, _ a: Tensor, _ b: Tensor, op: StaticString) -> Tensor {
        let outShape = Broadcast.shape(a.shape, b.shape, op: op)
        let result = Tensor(uninitializedShape: outShape)
        let out = result.pointer
        let count = result.count
        if count == 0 { return result }
        let pa = a.pointer, pb = b.pointer
        if a.shape == b.shape && a.isContiguous && b.isContiguous {
            ThreadPolicy.parallelFor(count: count) { range in
                vectorVector(f, pa + range.lowerBound, pb + range.lowerBound, out + range.lowerBound, range.count)
            }
            return result
        }
        if b.count == 1 && a.isContiguous && a.count == count {
            let s = pb[0]
            ThreadPolicy.parallelFor(count: count) { range in
                vectorScalar(f, pa + range.lowerBound, s, out + range.lowerBound, range.count)
            }
            return result
        }
        if a.count == 1 && b.isContiguous && b.count == count {
            let s = pa[0]
            ThreadPolicy.parallelFor(count: count) { range in
                scalarVector(f, s, pb + range.lowerBound, out + range.lowerBound, range.count)
            }
            return result
        }
        let merged = Broadcast.coalesce(
            shape: outShape,
            strides: [Broadcast.strides(of: a, to: outShape), Broadcast.strides(of: b, to: outShape)])
        strided(f, merged.shape, merged.strides[0], merged.strides[1], pa, pb, out)
        return result
    }

    /// The general case: an odometer over the outer dimensions and a vectorized innermost loop.
    private static func strided<F: BinaryFunction>(
        _ f: F, _ shape: [Int], _ sa: [Int], _ sb: [Int],
        _ pa: UnsafeMutablePointer<Float>, _ pb: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>
    ) {
        let rank = shape.count
        let inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1]
        let outer = shape.dropLast().reduce(1, *)
        var index = [Int](repeating: 0, count: rank)
        var offsetA = 0, offsetB = 0
        var o = out
        for _ in 0..<outer {
            let rowA = pa + offsetA, rowB = pb + offsetB
            if ia == 1 && ib == 1 {
                vectorVector(f, rowA, rowB, o, inner)
            } else if ia == 1 && ib == 0 {
                vectorScalar(f, rowA, rowB[0], o, inner)
            } else if ia == 0 && ib == 1 {
                scalarVector(f, rowA[0], rowB, o, inner)
            } else {
                for j in 0..<inner { o[j] = f.scalar(rowA[j * ia], rowB[j * ib]) }
            }
            o += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offsetA += sa[axis]
                offsetB += sb[axis]
                if index[axis] < shape[axis] { break }
                offsetA -= sa[axis] * shape[axis]
                offsetB -= sb[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    @inline(__always)
    static func vectorVector<F: BinaryFunction>(_ f: F, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                                _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        f.apply(a, b, out, count: n)
    }

    @inline(__always)
    static func vectorScalar<F: BinaryFunction>(_ f: F, _ a: UnsafePointer<Float>, _ s: Float,
                                                _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let vs = SIMD8<Float>(repeating: s)
        let rawA = UnsafeRawPointer(a), rawOut = UnsafeMutableRawPointer(out)
        while i + 8 <= n {
            let va = rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            rawOut.storeBytes(of: f.vector(va, vs), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { out[i] = f.scalar(a[i], s); i += 1 }
    }

    @inline(__always)
    static func scalarVector<F: BinaryFunction>(_ f: F, _ s: Float, _ b: UnsafePointer<Float>,
                                                _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let vs = SIMD8<Float>(repeating: s)
        let rawB = UnsafeRawPointer(b), rawOut = UnsafeMutableRawPointer(out)
        while i + 8 <= n {
            let vb = rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            rawOut.storeBytes(of: f.vector(vs, vb), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { out[i] = f.scalar(s, b[i]); i += 1 }
    }
}
