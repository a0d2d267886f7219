/// Reductions over any set of axes, with or without keeping the reduced dimensions.
extension Tensor {
    /// The sum of all elements (rank 0).
    public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }

    /// The sum over `axes` (negative axes count from the end).
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let normalized = normalizedAxes(axes, op: "sum")
        let kept = ReductionKernel.reduce(self, axes: normalized, kind: .sum)
        if Tensor.needsGrad(self) {
            let original = shape
            kept.record("sum", [self]) { grad in [grad.expanded(to: original).contiguousStorageView()] }
        }
        return keepingDimensions ? kept : kept.removingAxes(normalized)
    }

    /// The sum over one axis.
    public func sum(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// The mean of all elements (rank 0).
    public func mean() -> Tensor { mean(alongAxes: Array(0..<rank)) }

    /// The mean over `axes`.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let normalized = normalizedAxes(axes, op: "mean")
        let n = normalized.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: normalized, keepingDimensions: keepingDimensions) * (1 / Float(Swift.max(n, 1)))
    }

    /// The mean over one axis.
    public func mean(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// The variance over `axes`: the mean squared deviation, or with `unbiased` divided by n − 1.
    public func variance(alongAxes axes: [Int], keepingDimensions: Bool = false, unbiased: Bool = false) -> Tensor {
        let normalized = normalizedAxes(axes, op: "variance")
        let n = normalized.reduce(1) { $0 * shape[$1] }
        let deviations = self - mean(alongAxes: normalized, keepingDimensions: true)
        let total = deviations.squared().sum(alongAxes: normalized, keepingDimensions: keepingDimensions)
        return total * (1 / Float(Swift.max(unbiased ? n - 1 : n, 1)))
    }

    /// The variance of all elements.
    public func variance(unbiased: Bool = false) -> Tensor { variance(alongAxes: Array(0..<rank), unbiased: unbiased) }

    /// The largest element (rank 0).
    public func max() -> Tensor { max(alongAxes: Array(0..<rank)) }

    /// The largest element over `axes`; the gradient is shared among tied maxima.
    public func max(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        extremum(axes, keepingDimensions, kind: .max, op: "max")
    }

    /// The smallest element (rank 0).
    public func min() -> Tensor { min(alongAxes: Array(0..<rank)) }

    /// The smallest element over `axes`; the gradient is shared among tied minima.
    public func min(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        extremum(axes, keepingDimensions, kind: .min, op: "min")
    }

    /// The index of the largest element along `axis` (first one on ties), as Float values.
    public func argmax(axis: Int = -1, keepingDimensions: Bool = false) -> Tensor {
        let axis = normalizedAxes([axis], op: "argmax")[0]
        let moved = Array(0..<rank).filter { $0 != axis } + [axis]
        let rows = noGrad { permuted(moved).contiguousStorageView() }
        let length = shape[axis]
        precondition(length > 0, "argmax: axis \(axis) of shape \(shape) is empty")
        var outShape = shape
        outShape[axis] = 1
        let result = Tensor(uninitializedShape: outShape)
        for r in 0..<result.count {
            let row = rows.pointer + r * length
            var best = 0
            for j in 1..<length where row[j] > row[best] { best = j }
            result.pointer[r] = Float(best)
        }
        return keepingDimensions ? result : result.removingAxes([axis])
    }

    /// The indices of the largest element of each row of a `(N, C)` tensor (predicted classes).
    public func argmaxIndices() -> [Int] {
        precondition(rank == 2, "argmaxIndices: needs a (N, C) tensor, got shape \(shape)")
        return argmax(axis: 1).scalars.map { Int($0) }
    }

    private func extremum(_ axes: [Int], _ keepingDimensions: Bool, kind: ReductionKind, op: StaticString) -> Tensor {
        let normalized = normalizedAxes(axes, op: op)
        let kept = ReductionKernel.reduce(self, axes: normalized, kind: kind)
        if Tensor.needsGrad(self) {
            let x = detached(), best = kept.detached()
            kept.record(op, [self], saving: [x, best]) { grad in
                let mask = x.isEqual(best)
                let ties = mask.sum(alongAxes: normalized, keepingDimensions: true)
                return [mask * (grad / ties)]
            }
        }
        return keepingDimensions ? kept : kept.removingAxes(normalized)
    }

    /// Axes made non-negative, sorted and unique; traps naming `op` when one is out of range.
    func normalizedAxes(_ axes: [Int], op: StaticString) -> [Int] {
        let normalized = axes.map { axis -> Int in
            let a = axis < 0 ? axis + rank : axis
            precondition(a >= 0 && a < Swift.max(rank, 1), "\(op): axis \(axis) out of range for shape \(shape)")
            return a
        }
        return Array(Set(normalized)).sorted().filter { $0 < rank }
    }

    /// The tensor with the given size-1 axes removed.
    func removingAxes(_ axes: [Int]) -> Tensor {
        if axes.isEmpty { return self }
        let drop = Set(axes)
        return reshaped(shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element))
    }
}
