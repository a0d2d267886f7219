import Foundation

/// A reference-counted, 64-byte-aligned buffer of `Float` that returns its memory to `BufferPool`
/// when the last tensor using it goes away, so that a training loop reuses the same buffers each step.
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

/// A process-wide pool of freed buffers keyed by element count.
///
/// Training repeats the same shapes every step, so exact-size reuse removes almost every allocation
/// from the hot path. The pool keeps at most `capacityBytes`; beyond that, buffers are freed.
public final class BufferPool: @unchecked Sendable {
    /// The pool every `TensorStorage` draws from.
    public static let shared = BufferPool()

    /// The most memory the pool keeps cached (default 1 GiB; `STRATA_POOL_MB` overrides).
    public let capacityBytes: Int
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var cachedBytes = 0
    private var lock = pthread_mutex_t()
    /// Bytes currently handed out to live tensors.
    public private(set) var liveBytes = 0
    /// The largest `liveBytes` seen since the last `resetPeak()`.
    public private(set) var peakLiveBytes = 0

    private init() {
        pthread_mutex_init(&lock, nil)
        let megabytes = ProcessInfo.processInfo.environment["STRATA_POOL_MB"].flatMap(Int.init) ?? 1024
        capacityBytes = max(0, megabytes) << 20
    }

    /// Returns a buffer of exactly `count` elements (at least one element is allocated).
    func take(count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        pthread_mutex_lock(&lock)
        liveBytes += bytes
        if liveBytes > peakLiveBytes { peakLiveBytes = liveBytes }
        if let pointer = free[count]?.popLast() {
            cachedBytes -= bytes
            pthread_mutex_unlock(&lock)
            return pointer
        }
        pthread_mutex_unlock(&lock)
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("Strata: out of memory allocating \(bytes) bytes")
        }
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Takes back a buffer from `take(count:)`; keeps it for reuse while under capacity.
    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        pthread_mutex_lock(&lock)
        liveBytes -= bytes
        if cachedBytes + bytes <= capacityBytes {
            free[count, default: []].append(pointer)
            cachedBytes += bytes
            pthread_mutex_unlock(&lock)
            return
        }
        pthread_mutex_unlock(&lock)
        Foundation.free(pointer)
    }

    /// Frees every cached buffer.
    public func drain() {
        pthread_mutex_lock(&lock)
        let lists = free
        free = [:]
        cachedBytes = 0
        pthread_mutex_unlock(&lock)
        for list in lists.values { for pointer in list { Foundation.free(pointer) } }
    }

    /// Starts a new measurement of `peakLiveBytes`.
    public func resetPeak() {
        pthread_mutex_lock(&lock)
        peakLiveBytes = liveBytes
        pthread_mutex_unlock(&lock)
    }
}
