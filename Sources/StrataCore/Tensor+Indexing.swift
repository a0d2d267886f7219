/// Slicing, joining and gathering along an axis.
extension Tensor {
    /// A view of the elements with index in `range` along `axis` (like `narrow` in PyTorch).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        precondition(axis >= 0 && axis < rank, "slice: axis \(axis) for shape \(shape)")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "slice: range \(range) out of bounds for axis \(axis) of shape \(shape)")
        var target = shape
        target[axis] = range.count
        let result = Tensor(shape: target, storage: storage, strides: strides,
                            offset: offset + range.lowerBound * strides[axis])
        if Tensor.needsGrad(self) {
            let original = shape
            result.record("slice", [self]) { grad in
                let full = Tensor.zeros(original)
                full.slice(axis: axis, range).assign(grad)
                return [full]
            }
        }
        return result
    }

    /// The tensors joined along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0]
        precondition(axis >= 0 && axis < first.rank, "concatenate: axis \(axis) for shape \(first.shape)")
        var target = first.shape
        target[axis] = 0
        for tensor in tensors {
            var expected = first.shape
            expected[axis] = tensor.rank == first.rank ? tensor.shape[axis] : -1
            precondition(tensor.shape == expected,
                         "concatenate: shapes \(first.shape) and \(tensor.shape) differ outside axis \(axis)")
            target[axis] += tensor.shape[axis]
        }
        let result = Tensor(uninitializedShape: target)
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        let rowLength = target[axis] * inner
        var column = 0
        for tensor in tensors {
            let dense = tensor.contiguousStorageView()
            let block = tensor.shape[axis] * inner
            for o in 0..<outer {
                (result.pointer + o * rowLength + column).update(from: dense.pointer + o * block, count: block)
            }
            column += block
        }
        if needsGrad(tensors) {
            let sizes = tensors.map { $0.shape[axis] }
            result.record("concatenate", tensors) { grad in
                var start = 0
                return sizes.map { size in
                    defer { start += size }
                    return grad.slice(axis: axis, start..<(start + size)).contiguousStorageView()
                }
            }
        }
        return result
    }

    /// The tensors (all of one shape) stacked along a new dimension at `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: no tensors")
        precondition(tensors.allSatisfy { $0.shape == tensors[0].shape },
                     "stack: shapes differ: \(tensors.map(\.shape))")
        return concatenate(tensors.map { $0.expandingShape(at: axis) }, axis: axis)
    }

    /// The slices at `indices` along `axis`, in that order (rows of an embedding table, say).
    /// The gradient adds back into the rows that were read, summed where an index repeats.
    public func gather(_ indices: [Int], axis: Int = 0) -> Tensor {
        precondition(axis >= 0 && axis < rank, "gather: axis \(axis) for shape \(shape)")
        let size = shape[axis]
        for index in indices {
            precondition(index >= 0 && index < size, "gather: index \(index) out of range 0..<\(size) on axis \(axis) of shape \(shape)")
        }
        let dense = contiguousStorageView()
        var target = shape
        target[axis] = indices.count
        let result = Tensor(uninitializedShape: target)
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        for o in 0..<outer {
            for (k, index) in indices.enumerated() {
                (result.pointer + (o * indices.count + k) * inner)
                    .update(from: dense.pointer + (o * size + index) * inner, count: inner)
            }
        }
        if Tensor.needsGrad(self) {
            let original = shape
            result.record("gather", [self]) { grad in
                let full = Tensor.zeros(original)
                let g = grad.contiguousStorageView()
                for o in 0..<outer {
                    for (k, index) in indices.enumerated() {
                        let source = g.pointer + (o * indices.count + k) * inner
                        let destination = full.pointer + (o * size + index) * inner
                        for j in 0..<inner { destination[j] += source[j] }
                    }
                }
                return [full]
            }
        }
        return result
    }

    /// The slices whose indices are the (integral) values of `indices`, along `axis`.
    public func gather(_ indices: Tensor, axis: Int = 0) -> Tensor {
        let values = indices.scalars.map { Int($0) }
        let picked = gather(values, axis: axis)
        var target = shape
        target.replaceSubrange(axis...axis, with: indices.shape)
        return picked.reshaped(target)
    }
}
