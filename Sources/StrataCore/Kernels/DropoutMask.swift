/// Which elements a dropout keeps, one byte each (1 keeps, 0 drops): a quarter of the memory of the
/// `Float` mask it replaces, kept alive from the forward pass until the backward pass has used it.
///
/// The bytes live in a `TensorStorage` (so `BufferPool` reuses them and counts them in its peak),
/// viewed as `UInt8` only while they are written or read. The draws are those of the `Float` mask
/// (`generator.nextUniform() < rate` drops), and `apply` computes `x · (kept ? scale : 0)` exactly as
/// `x * mask` did, so results are the same bit for bit (`ReferenceDropout` is the `Float`-mask twin).
struct DropoutMask {
    /// The number of elements the mask covers.
    let count: Int
    /// What kept elements are multiplied by: 1 / (1 − rate).
    let keepScale: Float
    /// `count` bytes, in `(count + 3) / 4` floats of storage.
    private let storage: TensorStorage

    /// Draws one uniform number per element from `generator`, in order; below `rate` drops the element.
    init(count: Int, rate: Float, generator: inout RandomGenerator) {
        self.count = count
        self.keepScale = 1 / (1 - rate)
        storage = TensorStorage(uninitializedCount: (count + 3) / 4)
        storage.pointer.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
            for i in 0..<count { bytes[i] = generator.nextUniform() < rate ? 0 : 1 }
        }
    }

    /// Writes `x[i] · keepScale` where element `i` is kept and `x[i] · 0` where it is dropped (the
    /// product, not a plain zero, so that signs and NaNs come out as the `Float` mask's product's).
    func apply(to x: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        let scale = keepScale
        storage.pointer.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
            for i in 0..<count { output[i] = x[i] * (bytes[i] != 0 ? scale : 0) }
        }
    }

    /// `tensor` (any layout, `count` elements) with the mask applied, as a new dense tensor of its shape.
    func apply(to tensor: Tensor) -> Tensor {
        precondition(tensor.count == count, "dropout: mask of \(count) elements for a tensor of shape \(tensor.shape)")
        let dense = tensor.contiguousStorageView()
        let result = Tensor(uninitializedShape: tensor.shape)
        apply(to: dense.pointer, into: result.pointer)
        withExtendedLifetime(dense) {}
        return result
    }

    /// The number of elements the mask keeps.
    var keptCount: Int {
        storage.pointer.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
            (0..<count).reduce(0) { $0 + Int(bytes[$1]) }
        }
    }
}
