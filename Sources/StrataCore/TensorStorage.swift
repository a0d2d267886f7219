import Foundation

/// A reference-counted, 64-byte-aligned buffer of `Float` that returns its memory to `BufferPool`
/// when the last tensor using it goes away, so that a training loop reuses the same buffers each step
/// (the pool may hand out a slightly larger buffer of the request's size class; `count` is the request).
public final class TensorStorage: @unchecked Sendable {
    /// The first element.
    public let pointer: UnsafeMutablePointer<Float>
    /// The number of elements the buffer holds.
    public let count: Int
    /// How many times the elements were changed in place; `backward()` compares it with the version an
    /// op saw when it saved a tensor for its gradient, and throws if they differ.
    public private(set) var version = 0

    /// A new buffer of `count` elements whose contents are undefined (taken from the pool when possible).
    public init(uninitializedCount count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.take(count: count)
    }

    /// A new buffer of `count` elements set to `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    /// A new buffer holding a copy of `values`.
    public convenience init(copying values: UnsafeBufferPointer<Float>) {
        self.init(uninitializedCount: values.count)
        if let base = values.baseAddress { pointer.update(from: base, count: values.count) }
    }

    /// Records a change of the elements in place: call it after writing through `pointer` into a buffer
    /// that tensors already read (the in-place ops and optimizer steps call it themselves).
    @inline(__always)
    public func bumpVersion() { version &+= 1 }

    deinit { BufferPool.shared.give(pointer, count: count) }
}
