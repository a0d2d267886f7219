import CFuzzer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Hands libFuzzer's input to Strata's readers, which read files: each input is written to one file per process
/// (in a fresh folder under the temporary directory) and its URL passed on.
public enum FuzzInput {
    /// The folder of this process's input files.
    public static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes the `count` bytes at `data` to `name` in `folder` (replacing the last input) and returns its URL.
    public static func file(_ data: UnsafePointer<UInt8>?, _ count: Int, name: String) -> URL {
        let url = folder.appendingPathComponent(name)
        unlink(url.path)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(descriptor >= 0, "FuzzInput: cannot create \(url.path)")
        var written = 0
        while written < count {
            let result = write(descriptor, data.map { UnsafeRawPointer($0) + written }, count - written)
            if result < 0 && errno == EINTR { continue }
            precondition(result > 0, "FuzzInput: cannot write \(url.path)")
            written += result
        }
        close(descriptor)
        return url
    }

    /// Runs libFuzzer with this process's command line (`-max_total_time=60`, a corpus folder, …), calling
    /// `testOneInput` with each input; returns libFuzzer's exit status.
    public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
    }
}
