#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether operations are recorded for automatic differentiation, on the calling thread.
///
/// The switch is per thread, like PyTorch's: `noGrad { … }` on one thread leaves recording on for
/// every other thread, and a new thread starts with recording on. The worker threads of Strata's
/// parallel loops only run kernels on raw buffers and never record.
public enum GradMode {
    /// True unless inside `noGrad { … }` (or inside `backward()`) on this thread.
    public static var isEnabled: Bool {
        get { pthread_getspecific(disabledKey) == nil }
        set { pthread_setspecific(disabledKey, newValue ? nil : disabledMarker) }
    }

    /// The thread-specific slot that holds `disabledMarker` while recording is off (nil, the default, is on).
    private static let disabledKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "GradMode: pthread_key_create failed with status \(status)")
        return key
    }()

    /// Any non-nil value: nothing is allocated, so a thread's exit frees nothing.
    private static let disabledMarker = UnsafeRawPointer(bitPattern: 1)
}

/// Runs `body` without recording operations on the tape, on this thread: for inference and parameter updates.
@discardableResult
public func noGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = previous }
    return try body()
}
