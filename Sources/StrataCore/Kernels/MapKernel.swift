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
    /// The function of `count` values from `source` into `out` (which may be `source`); by default
    /// `vector` eight at a time, then `scalar` for the tail.
    func apply(_ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
}

extension UnaryFunction {
    /// `scalar` lane by lane, for functions without a SIMD form (the libm calls exp and log).
    @inline(__always)
    func vector(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var result = SIMD8<Float>()
        for lane in 0..<8 { result[lane] = scalar(x[lane]) }
        return result
    }

    @inline(__always)
    func apply(_ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let value = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: vector(value), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            out[i] = scalar(source[i])
            i += 1
        }
    }

    /// `apply` over one value: the scalar form of a function computed an array at a time.
    @inline(__always)
    func scalarThroughApply(_ x: Float) -> Float {
        var input = x, output: Float = 0
        apply(&input, &output, count: 1)
        return output
    }

    /// `apply` over eight values: the SIMD form of a function computed an array at a time.
    @inline(__always)
    func vectorThroughApply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var input = x, output = SIMD8<Float>()
        withUnsafePointer(to: &input) { inputLanes in
            withUnsafeMutablePointer(to: &output) { outputLanes in
                inputLanes.withMemoryRebound(to: Float.self, capacity: 8) { source in
                    outputLanes.withMemoryRebound(to: Float.self, capacity: 8) { apply(source, $0, count: 8) }
                }
            }
        }
        return output
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
            f.apply(source + range.lowerBound, out + range.lowerBound, count: range.count)
        }
        return result
    }

    /// `f` applied to each of `count` elements at `pointer`, in place (the same bits as `unary`).
    @inline(__always)
    static func unaryInPlace<F: UnaryFunction>(_ pointer: UnsafeMutablePointer<Float>, count: Int, _ f: F) {
        ThreadPolicy.parallelFor(count: count, minimumPerThread: 1 << 16) { range in
            f.apply(pointer + range.lowerBound, pointer + range.lowerBound, count: range.count)
        }
    }

    /// `f` applied to matching elements of `a` and `b` (same shape), into a new dense tensor.
    static func binary<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, op: StaticString, _ f: F) -> Tensor {
        precondition(a.shape == b.shape, "\(op): shapes \(a.shape) and \(b.shape) differ")
        return BinaryKernel.apply(f, a.contiguousStorageView(), b.contiguousStorageView(), op: op)
    }
}
