/// An n-dimensional array of `Float32` in row-major order that can record the operations applied to it
/// so that `backward()` computes gradients (reverse-mode automatic differentiation).
///
/// Tensors have reference semantics, like PyTorch's: a parameter is one object that the model, the
/// optimizer and the tape all see. Views made by `transposed()`, `permuted(_:)` and `reshaped(_:)`
/// share storage; ops that need dense input call `contiguous()`, which copies only when needed.
///
/// ```swift
/// let w = Tensor.randomNormal([3, 2], seed: 1, requiresGrad: true)
/// let loss = (Tensor([[1, 2, 3]]).matmul(w)).relu().sum()
/// try loss.backward()
/// print(w.grad!.shape)   // [3, 2]
/// ```
public final class Tensor {
    /// The size of each dimension, outermost first: images are `(N, C, H, W)`.
    public let shape: [Int]
    /// The distance in elements between neighbours along each dimension.
    public let strides: [Int]
    /// The index in `storage` of the first element.
    public let offset: Int
    /// The buffer the elements live in (shared by views).
    public let storage: TensorStorage
    /// Whether gradients flow to this tensor; set it on parameters and on inputs to differentiate.
    public var requiresGrad: Bool
    /// The gradient accumulated by `backward()` on a tensor that requires it (nil until then).
    public var grad: Tensor?
    /// The operation that produced this tensor, when it was recorded on the tape.
    var gradNode: GradNode?

    /// Wraps `storage` with the given shape and layout (no copy).
    public init(shape: [Int], storage: TensorStorage, strides: [Int]? = nil, offset: Int = 0,
                requiresGrad: Bool = false) {
        self.shape = shape
        self.strides = strides ?? Tensor.contiguousStrides(for: shape)
        self.offset = offset
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A new tensor of the given shape whose elements are not yet set (for kernels that write every one).
    public convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(shape)))
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        let count = Tensor.elementCount(shape)
        precondition(count == scalars.count,
                     "Tensor(shape:scalars:): shape \(shape) needs \(count) values, got \(scalars.count)")
        let storage = scalars.withUnsafeBufferPointer { TensorStorage(copying: $0) }
        self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// A rank-0 tensor holding one value.
    public convenience init(_ scalar: Float) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A 1-D tensor of the given values.
    public convenience init(_ values: [Float], requiresGrad: Bool = false) {
        self.init(shape: [values.count], scalars: values, requiresGrad: requiresGrad)
    }

    /// A 2-D tensor from rows of equal length.
    public convenience init(_ rows: [[Float]], requiresGrad: Bool = false) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor(rows:): rows have different lengths")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 }, requiresGrad: requiresGrad)
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { Tensor.elementCount(shape) }
    /// Whether the elements are laid out densely in row-major order starting at `offset`.
    public var isContiguous: Bool { Tensor.isContiguous(shape: shape, strides: strides) }
    /// True for tensors made by the user rather than recorded as the output of an op (an output stays
    /// a non-leaf after `backward()` released its op).
    public var isLeaf: Bool { gradNode == nil }

    /// A pointer to the first element (valid while this tensor is alive).
    public var pointer: UnsafeMutablePointer<Float> { storage.pointer + offset }

    /// The elements in row-major order, as an array.
    public var scalars: [Float] {
        let dense = contiguousStorageView()
        return Array(UnsafeBufferPointer(start: dense.pointer, count: dense.count))
    }

    /// The single value of a tensor with one element.
    public var scalar: Float {
        precondition(count == 1, "scalar: tensor of shape \(shape) has \(count) elements, not 1")
        return storage.pointer[offset]
    }

    /// The element at the given indices (one per dimension).
    public subscript(indices: Int...) -> Float {
        get { storage.pointer[elementOffset(indices)] }
        set {
            storage.pointer[elementOffset(indices)] = newValue
            storage.bumpVersion()
        }
    }

    private func elementOffset(_ indices: [Int]) -> Int {
        precondition(indices.count == rank, "subscript: \(indices.count) indices for a tensor of shape \(shape)")
        var position = offset
        for (axis, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[axis],
                         "subscript: index \(index) out of range for axis \(axis) of shape \(shape)")
            position += index * strides[axis]
        }
        return position
    }

    /// A tensor that shares storage with this one but is cut off from the tape.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage, strides: strides, offset: offset)
    }

    /// This tensor if it is dense, otherwise a dense copy (differentiable).
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let result = contiguousStorageView()
        if Tensor.needsGrad(self) {
            result.record("contiguous", [self]) { grad in [grad] }
        }
        return result
    }

    /// A dense tensor with the same elements, not recorded on the tape.
    func contiguousStorageView() -> Tensor {
        if isContiguous { return detached() }
        let result = Tensor(uninitializedShape: shape)
        StridedCopy.copy(self, into: result.pointer)
        return result
    }

    /// The row-major strides of a dense tensor of `shape`.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    /// The number of elements in a tensor of `shape`.
    @inline(__always)
    public static func elementCount(_ shape: [Int]) -> Int {
        var count = 1
        for size in shape { count &*= size }
        return count
    }

    static func isContiguous(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and, for small tensors, the values.
    public var description: String {
        let values = count <= 64 ? scalars.map { String($0) }.joined(separator: ", ") : "…"
        return "Tensor(shape: \(shape), [\(values)])"
    }
}
