/// NumPy-style broadcasting of shapes: dimensions are aligned on the right, and a dimension of size 1
/// stretches to match the other.
enum Broadcast {
    /// The shape of the result of an elementwise op on `a` and `b`; traps naming `op` and both shapes
    /// when they cannot broadcast.
    static func shape(_ a: [Int], _ b: [Int], op: StaticString) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else {
                preconditionFailure("\(op): shapes \(a) and \(b) cannot be broadcast together (axis \(i): \(da) vs \(db))")
            }
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// The strides that read `tensor` as if it had shape `target` (0 along stretched dimensions).
    static func strides(of tensor: Tensor, to target: [Int]) -> [Int] {
        let lead = target.count - tensor.rank
        var result = [Int](repeating: 0, count: target.count)
        for i in 0..<tensor.rank where tensor.shape[i] != 1 {
            result[lead + i] = tensor.strides[i]
        }
        return result
    }

    /// Merges neighbouring dimensions that every stride list walks as one, so kernels run long
    /// inner loops: `(N, C, H, W)` + `(1, C, 1, 1)` becomes `(N, C, H·W)` with strides `(0, 1, 0)`.
    static func coalesce(shape: [Int], strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides = [[Int]](repeating: [], count: strides.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let last = outShape.last,
               (0..<strides.count).allSatisfy({ strides[$0][axis] * shape[axis] == outStrides[$0].last! }) {
                outShape[outShape.count - 1] = last * shape[axis]
                for k in 0..<strides.count { outStrides[k][outStrides[k].count - 1] = strides[k][axis] }
            } else {
                outShape.append(shape[axis])
                for k in 0..<strides.count { outStrides[k].append(strides[k][axis]) }
            }
        }
        if outShape.isEmpty {
            return ([1], strides.map { _ in [0] })
        }
        return (outShape, outStrides)
    }
}

extension Tensor {
    /// Sums this tensor down to `target`, undoing a broadcast (the backward of broadcasting).
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        precondition(lead >= 0, "sum(toShape:): cannot reduce shape \(shape) to larger rank \(target)")
        var axes: [Int] = Array(0..<lead)
        for i in 0..<target.count where target[i] == 1 && shape[lead + i] != 1 {
            axes.append(lead + i)
        }
        return sum(alongAxes: axes, keepingDimensions: false).reshaped(target)
    }
}
