import CStrataKernels
import Foundation

/// A process-wide pool of freed tensor buffers, reused by size class, that gives idle memory back.
///
/// Training repeats the same shapes every step, so reuse removes almost every allocation from the hot
/// path. A request for `count` elements is served by a buffer of `sizeClass(for: count)` elements:
/// `count` rounded up to one of eight steps per power of two (at most 12.5% more), so that nearby sizes
/// (the last, smaller batch of an epoch; a different batch size in evaluation) share buffers.
///
/// Memory goes back in three ways: the pool never caches more than `capacityBytes`; every
/// `trimPeriod` requests it frees the buffers that stayed unused in the pool through the whole
/// period (of each size class, the fewest it held meanwhile: its low-water mark), so that memory a
/// finished phase used does not stay cached forever; and `trim()` and `drain()` do that, or free
/// everything, on demand. Thread-safe: one lock guards the lists and counters.
public final class BufferPool: @unchecked Sendable {
    /// The pool every `TensorStorage` draws from (`STRATA_POOL_MB` sets its capacity in MiB, default
    /// 1024; `STRATA_POOL_TRIM_PERIOD` its trim period in requests, default 65,536, 0 for never).
    public static let shared = BufferPool(
        capacityBytes: max(0, ProcessInfo.processInfo.environment["STRATA_POOL_MB"].flatMap(Int.init) ?? 1024) << 20,
        trimPeriod: max(0, ProcessInfo.processInfo.environment["STRATA_POOL_TRIM_PERIOD"].flatMap(Int.init) ?? 65_536))

    /// The most memory the pool keeps cached; a buffer given back beyond it is freed.
    public let capacityBytes: Int
    /// How many requests pass between automatic trims (0: no automatic trim).
    public let trimPeriod: Int
    /// Bytes currently handed out to live tensors (as requested, before rounding to a size class).
    public private(set) var liveBytes = 0
    /// The largest `liveBytes` seen since the last `resetPeak()`.
    public private(set) var peakLiveBytes = 0
    /// Bytes of the buffers the pool holds for reuse (their size classes' sizes).
    public private(set) var cachedBytes = 0

    /// The free buffers of one size class and the fewest it held since the last trim.
    private struct FreeList {
        var buffers: [UnsafeMutablePointer<Float>] = []
        var lowWater = 0
    }

    private var free: [Int: FreeList] = [:]
    private var requestsSinceTrim = 0
    private var lock = pthread_mutex_t()

    /// A pool that caches at most `capacityBytes` and trims itself every `trimPeriod` requests (0: never).
    public init(capacityBytes: Int, trimPeriod: Int) {
        precondition(capacityBytes >= 0 && trimPeriod >= 0, "BufferPool: capacity and trim period must not be negative")
        self.capacityBytes = capacityBytes
        self.trimPeriod = trimPeriod
        pthread_mutex_init(&lock, nil)
    }

    deinit {
        drain()
        pthread_mutex_destroy(&lock)
    }

    /// The element count of the buffer that serves a request for `count` elements: at least 16 (64
    /// bytes), else `count` rounded up to a multiple of 1/8 of the power of two below it.
    public static func sizeClass(for count: Int) -> Int {
        if count <= 16 { return 16 }
        let octave = (Int.bitWidth - 1) - (count - 1).leadingZeroBitCount  // floor(log2(count - 1)) ≥ 4
        let step = 1 << (octave - 3)
        return (count + step - 1) & ~(step - 1)
    }

    /// Returns a buffer of at least `count` elements, 64-byte aligned, from the pool when it has one.
    func take(count: Int) -> UnsafeMutablePointer<Float> {
        let size = BufferPool.sizeClass(for: count)
        let classBytes = size * MemoryLayout<Float>.stride
        pthread_mutex_lock(&lock)
        liveBytes += max(count, 1) * MemoryLayout<Float>.stride
        if liveBytes > peakLiveBytes { peakLiveBytes = liveBytes }
        requestsSinceTrim += 1
        let idle = trimPeriod > 0 && requestsSinceTrim >= trimPeriod ? trimLocked() : []
        let reused = free[size]?.buffers.popLast()
        if reused != nil {
            cachedBytes -= classBytes
            free[size]!.lowWater = min(free[size]!.lowWater, free[size]!.buffers.count)
        }
        pthread_mutex_unlock(&lock)
        release(idle)
        if let reused { return reused }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, classBytes) == 0, let raw else {
            fatalError("Strata: out of memory allocating \(classBytes) bytes")
        }
        return raw.bindMemory(to: Float.self, capacity: size)
    }

    /// Takes back a buffer from `take(count:)` with the same `count`; keeps it while under capacity.
    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let size = BufferPool.sizeClass(for: count)
        let classBytes = size * MemoryLayout<Float>.stride
        pthread_mutex_lock(&lock)
        liveBytes -= max(count, 1) * MemoryLayout<Float>.stride
        if cachedBytes + classBytes <= capacityBytes {
            free[size, default: FreeList()].buffers.append(pointer)
            cachedBytes += classBytes
            pthread_mutex_unlock(&lock)
            return
        }
        pthread_mutex_unlock(&lock)
        Foundation.free(pointer)
    }

    /// Frees the cached buffers that no request needed since the last trim (automatic or not), and
    /// returns the allocator's free pages to the system; returns the bytes freed.
    @discardableResult
    public func trim() -> Int {
        pthread_mutex_lock(&lock)
        let idle = trimLocked()
        pthread_mutex_unlock(&lock)
        return release(idle)
    }

    /// Frees every cached buffer and returns the allocator's free pages to the system.
    public func drain() {
        pthread_mutex_lock(&lock)
        let lists = free
        free = [:]
        cachedBytes = 0
        requestsSinceTrim = 0
        pthread_mutex_unlock(&lock)
        release(lists.map { ($0.key, $0.value.buffers) })
    }

    /// Starts a new measurement of `peakLiveBytes`.
    public func resetPeak() {
        pthread_mutex_lock(&lock)
        peakLiveBytes = liveBytes
        pthread_mutex_unlock(&lock)
    }

    /// Takes out of the lists, under the lock, each class's low-water count of buffers (the oldest
    /// ones) and starts a new period; the caller frees them after unlocking.
    private func trimLocked() -> [(size: Int, buffers: [UnsafeMutablePointer<Float>])] {
        requestsSinceTrim = 0
        var idle: [(size: Int, buffers: [UnsafeMutablePointer<Float>])] = []
        for size in Array(free.keys) {
            var list = free[size]!
            if list.lowWater > 0 {
                idle.append((size, Array(list.buffers.prefix(list.lowWater))))
                list.buffers.removeFirst(list.lowWater)
                cachedBytes -= list.lowWater * size * MemoryLayout<Float>.stride
            }
            list.lowWater = list.buffers.count
            free[size] = list.buffers.isEmpty ? nil : list
        }
        return idle
    }

    /// Frees `lists` (outside the lock) and, when anything was freed, returns free pages to the system.
    @discardableResult
    private func release(_ lists: [(size: Int, buffers: [UnsafeMutablePointer<Float>])]) -> Int {
        var bytes = 0
        for (size, buffers) in lists {
            for pointer in buffers { Foundation.free(pointer) }
            bytes += size * buffers.count * MemoryLayout<Float>.stride
        }
        if bytes > 0 { _ = strata_release_free_memory() }
        return bytes
    }
}
