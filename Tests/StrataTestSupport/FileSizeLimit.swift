import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` with the process's file-size limit (`RLIMIT_FSIZE`) lowered to `bytes` and `SIGXFSZ`
/// ignored, so a write that would grow any file past `bytes` fails with `EFBIG` ("File too large")
/// instead of succeeding. Unlike a read-only folder, this makes writes fail for root too, which is how
/// the tests simulate a full disk. The previous limit and signal handler are restored afterwards.
///
/// The limit holds for the whole process: call it only from tests that run one at a time (XCTest's default).
public func withFileSizeLimit<Result>(_ bytes: Int, _ body: () throws -> Result) throws -> Result {
    var saved = rlimit()
    guard getrlimit(resourceLimitFileSize, &saved) == 0 else {
        throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL)
    }
    let previousHandler = signal(SIGXFSZ, SIG_IGN)
    var lowered = saved
    lowered.rlim_cur = rlim_t(bytes)
    guard setrlimit(resourceLimitFileSize, &lowered) == 0 else {
        let failure = errno
        signal(SIGXFSZ, previousHandler)
        throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EINVAL)
    }
    defer {
        setrlimit(resourceLimitFileSize, &saved)
        signal(SIGXFSZ, previousHandler)
    }
    return try body()
}

/// `RLIMIT_FSIZE` as the type `getrlimit` takes on this platform (Glibc imports it as an enum case).
#if canImport(Glibc)
private let resourceLimitFileSize = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
#else
private let resourceLimitFileSize = RLIMIT_FSIZE
#endif
