/// How a reduction combines values.
enum ReductionKind {
    case sum, max, min

    var identity: Float {
        switch self {
        case .sum: return 0
        case .max: return -.infinity
        case .min: return .infinity
        }
    }
}

/// Reduces a tensor over a set of axes, keeping them as size-1 dimensions.
enum ReductionKernel {
    /// The reduction of `x` over `axes` (sorted, unique, in range); the result keeps rank.
    static func reduce(_ x: Tensor, axes: [Int], kind: ReductionKind) -> Tensor {
        let dense = x.contiguousStorageView()
        var outShape = x.shape
        for axis in axes { outShape[axis] = 1 }
        let result = Tensor.full(outShape, value: kind.identity)
        if x.count == 0 { return result }
        let input = dense.pointer, out = result.pointer
        if result.count == 1 {
            out[0] = reduceRow(input, x.count, kind)
            return result
        }
        // Merge neighbouring axes of the same kind: (size, reduced) groups.
        var groups: [(size: Int, reduced: Bool)] = []
        let reducedSet = Set(axes)
        for axis in 0..<x.rank where x.shape[axis] != 1 {
            let reduced = reducedSet.contains(axis)
            if let last = groups.last, last.reduced == reduced {
                groups[groups.count - 1].size *= x.shape[axis]
            } else {
                groups.append((x.shape[axis], reduced))
            }
        }
        // Output strides of each group (0 for reduced groups).
        var outStrides = [Int](repeating: 0, count: groups.count)
        var step = 1
        for g in stride(from: groups.count - 1, through: 0, by: -1) where !groups[g].reduced {
            outStrides[g] = step
            step *= groups[g].size
        }
        let inner = groups[groups.count - 1]
        let outer = groups.dropLast().reduce(1) { $0 * $1.size }
        var index = [Int](repeating: 0, count: groups.count)
        var outOffset = 0
        var row = input
        for _ in 0..<outer {
            if inner.reduced {
                out[outOffset] = combine(out[outOffset], reduceRow(row, inner.size, kind), kind)
            } else {
                combineRow(out + outOffset, row, inner.size, kind)
            }
            row += inner.size
            var g = groups.count - 2
            while g >= 0 {
                index[g] += 1
                outOffset += outStrides[g]
                if index[g] < groups[g].size { break }
                outOffset -= outStrides[g] * groups[g].size
                index[g] = 0
                g -= 1
            }
        }
        return result
    }

    @inline(__always)
    private static func combine(_ a: Float, _ b: Float, _ kind: ReductionKind) -> Float {
        switch kind {
        case .sum: return a + b
        case .max: return MaximumFunction().scalar(a, b)
        case .min: return MinimumFunction().scalar(a, b)
        }
    }

    /// The reduction of `n` consecutive values, with 8-lane accumulators.
    static func reduceRow(_ p: UnsafePointer<Float>, _ n: Int, _ kind: ReductionKind) -> Float {
        var accumulator = SIMD8<Float>(repeating: kind.identity)
        let raw = UnsafeRawPointer(p)
        var i = 0
        switch kind {
        case .sum:
            while i + 8 <= n { accumulator += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self); i += 8 }
            var total = accumulator.sum()
            while i < n { total += p[i]; i += 1 }
            return total
        // For max and min, NaN anywhere makes the result NaN (as PyTorch's); the lanes only note it.
        case .max:
            var sawNaN = SIMDMask<SIMD8<Int32>>(repeating: false)
            while i + 8 <= n {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                sawNaN = sawNaN .| (v .!= v)
                accumulator = accumulator.replacing(with: v, where: v .> accumulator)
                i += 8
            }
            if any(sawNaN) { return .nan }
            var best = accumulator.max()
            while i < n { best = combine(best, p[i], .max); i += 1 }
            return best
        case .min:
            var sawNaN = SIMDMask<SIMD8<Int32>>(repeating: false)
            while i + 8 <= n {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                sawNaN = sawNaN .| (v .!= v)
                accumulator = accumulator.replacing(with: v, where: v .< accumulator)
                i += 8
            }
            if any(sawNaN) { return .nan }
            var best = accumulator.min()
            while i < n { best = combine(best, p[i], .min); i += 1 }
            return best
        }
    }

    /// Combines `n` values from `source` into `destination` elementwise.
    @inline(__always)
    private static func combineRow(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>,
                                   _ n: Int, _ kind: ReductionKind) {
        switch kind {
        case .sum: BinaryKernel.vectorVector(AddFunction(), destination, source, destination, n)
        case .max: BinaryKernel.vectorVector(MaximumFunction(), destination, source, destination, n)
        case .min: BinaryKernel.vectorVector(MinimumFunction(), destination, source, destination, n)
        }
    }
}
