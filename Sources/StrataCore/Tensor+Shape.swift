/// Changing the shape or layout of a tensor: reshape, permute, transpose, broadcast views.
extension Tensor {
    /// The same elements with a new shape (one size may be −1 and is inferred); a view when dense.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let target = resolvedShape(newShape)
        if target == shape { return self }
        let dense = contiguous()
        let result = Tensor(shape: target, storage: dense.storage, offset: dense.offset)
        if Tensor.needsGrad(dense) {
            let original = shape
            result.record("reshape", [dense]) { grad in [grad.reshaped(original)] }
        }
        return result
    }

    /// The tensor with dimensions from `startAxis` on merged into one: `(N, C, H, W)` → `(N, C·H·W)`.
    public func flattened(from startAxis: Int = 1) -> Tensor {
        precondition(startAxis >= 0 && startAxis <= rank, "flattened: start axis \(startAxis) for shape \(shape)")
        return reshaped(Array(shape[..<startAxis]) + [shape[startAxis...].reduce(1, *)])
    }

    /// The tensor with a new dimension of size 1 inserted at `axis`.
    public func expandingShape(at axis: Int) -> Tensor {
        precondition(axis >= 0 && axis <= rank, "expandingShape: axis \(axis) for shape \(shape)")
        var target = shape
        target.insert(1, at: axis)
        return reshaped(target)
    }

    /// The tensor with the dimension of size 1 at `axis` removed.
    public func squeezingShape(at axis: Int) -> Tensor {
        precondition(axis >= 0 && axis < rank && shape[axis] == 1, "squeezingShape: axis \(axis) of shape \(shape) is not 1")
        var target = shape
        target.remove(at: axis)
        return reshaped(target)
    }

    /// A view that reads this tensor broadcast to `target` (stretched dimensions have stride 0).
    public func expanded(to target: [Int]) -> Tensor {
        if target == shape { return self }
        let checked = Broadcast.shape(shape, target, op: "expanded")
        precondition(checked == target, "expanded: shape \(shape) cannot be broadcast to \(target)")
        let result = Tensor(shape: target, storage: storage, strides: Broadcast.strides(of: self, to: target), offset: offset)
        if Tensor.needsGrad(self) {
            let original = shape
            result.record("expand", [self]) { grad in [grad.sum(toShape: original)] }
        }
        return result
    }

    /// A view with the dimensions reordered: result dimension i is this tensor's dimension `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.count == rank && Set(axes) == Set(0..<rank),
                     "permuted: \(axes) is not a permutation of the axes of shape \(shape)")
        let result = Tensor(shape: axes.map { shape[$0] }, storage: storage, strides: axes.map { strides[$0] }, offset: offset)
        if Tensor.needsGrad(self) {
            var inverse = [Int](repeating: 0, count: rank)
            for (i, axis) in axes.enumerated() { inverse[axis] = i }
            result.record("permute", [self]) { grad in [grad.permuted(inverse)] }
        }
        return result
    }

    /// A view with the last two dimensions swapped (the matrix transpose for rank 2).
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed: needs rank 2 or more, got shape \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes)
    }

    /// Resolves one −1 in `newShape` and checks that the element count is unchanged.
    private func resolvedShape(_ newShape: [Int]) -> [Int] {
        var target = newShape
        let unknown = target.indices.filter { target[$0] == -1 }
        precondition(unknown.count <= 1, "reshaped: more than one -1 in \(newShape)")
        if let axis = unknown.first {
            let known = target.enumerated().filter { $0.offset != axis }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshaped: cannot reshape \(shape) to \(newShape)")
            target[axis] = count / known
        }
        precondition(target.allSatisfy { $0 >= 0 } && Tensor.elementCount(target) == count,
                     "reshaped: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return target
    }
}
