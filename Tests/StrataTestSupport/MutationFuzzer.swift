import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest

/// Runs a parser over thousands of seeded mutations of small valid files and checks that each input either
/// parses or throws an `Error` naming the file, never traps, and never takes long.
///
/// A trap (a crash, an out-of-memory kill) ends the test process: the input that caused it is then still on disk
/// at `$TMPDIR/strata-mutation-<name>/<fileName>`, beside the companion files, ready to become a regression test.
/// An input that runs longer than `hangSeconds` stops the process the same way, with a message naming that file.
///
/// `STRATA_FUZZ_SCALE=10` multiplies every test's input count (for a longer local run); `STRATA_FUZZ_REPORT=<file>`
/// appends one line per parser (inputs, parsed, refused, slowest input) to that file for docs/reliability.md.
///
/// ```swift
/// MutationFuzzer.run("idx", fileName: "images.idx", seeds: [valid], count: 2000, seed: 1) { url in
///     _ = try IDXFile.read(url)
/// }
/// ```
public enum MutationFuzzer {
    /// An input still running after this many seconds is a hang: the process stops naming the input.
    public static let hangSeconds = 30.0

    /// What one run saw.
    public struct Summary: Sendable {
        /// The inputs tried (the unmutated seeds included).
        public var inputs = 0
        /// The inputs that parsed.
        public var parsed = 0
        /// The inputs refused with an error.
        public var refused = 0
        /// The longest time one input took, in seconds.
        public var slowestSeconds = 0.0
    }

    /// Parses each of `seeds` (which must parse), then `count` mutations of them written to `fileName` in a fresh
    /// folder that also holds `companions` (other files the parser reads, by name); fails the calling test when an
    /// error does not contain `errorNames` (default: `fileName`) or one input takes over `inputSeconds`.
    @discardableResult
    public static func run(_ name: String, fileName: String, seeds: [[UInt8]], count: Int, seed: UInt64,
                           fields: ([UInt8]) -> [HeaderField] = { _ in [] }, companions: [String: [UInt8]] = [:],
                           errorNames: String? = nil, inputSeconds: Double = 2,
                           file: StaticString = #filePath, line: UInt = #line,
                           parse: (URL) throws -> Void) -> Summary {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-mutation-\(name)")
        try? FileManager.default.removeItem(at: folder)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (companion, bytes) in companions { try Data(bytes).write(to: folder.appendingPathComponent(companion)) }
        } catch {
            XCTFail("\(name): cannot prepare \(folder.path): \(error)", file: file, line: line)
            return Summary()
        }
        let url = folder.appendingPathComponent(fileName)
        let expectedName = errorNames ?? fileName
        let scale = ProcessInfo.processInfo.environment["STRATA_FUZZ_SCALE"].flatMap { Int($0) } ?? 1
        let watchdog = Watchdog(path: url.path)
        defer { watchdog.stop() }
        var mutator = InputMutator(seed: seed)
        var summary = Summary()
        var failed = false
        for index in 0..<(seeds.count + count * max(scale, 1)) {
            let input = index < seeds.count ? seeds[index] : mutator.mutate(seeds[index % seeds.count],
                                                                             fields: fields(seeds[index % seeds.count]))
            do {
                try replace(url, with: input)
            } catch {
                XCTFail("\(name): cannot write \(url.path): \(error)", file: file, line: line)
                return summary
            }
            let start = DispatchTime.now().uptimeNanoseconds
            watchdog.begin()
            var refusal: (any Error)?
            do { try parse(url) } catch { refusal = error }
            watchdog.end()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            summary.inputs += 1
            summary.slowestSeconds = max(summary.slowestSeconds, seconds)
            if let refusal {
                summary.refused += 1
                if index < seeds.count {
                    XCTFail("\(name): valid seed \(index) is refused: \(refusal)", file: file, line: line)
                    failed = true
                } else if !"\(refusal)".contains(expectedName) {
                    XCTFail("\(name): input \(index)'s error does not name \(expectedName): \(refusal)", file: file, line: line)
                    failed = keep(input, as: "unnamed-\(index)", in: folder) || failed
                }
            } else {
                summary.parsed += 1
            }
            if seconds > inputSeconds {
                XCTFail("\(name): input \(index) took \(seconds) s (limit \(inputSeconds) s)", file: file, line: line)
                failed = keep(input, as: "slow-\(index)", in: folder) || failed
            }
        }
        if !failed { try? FileManager.default.removeItem(at: folder) }
        record(name, summary)
        return summary
    }

    /// Writes `bytes` to a new file at `url` with plain POSIX calls: removing the old file first is much faster
    /// than truncating it on ext4 (which flushes a truncated-and-rewritten file when it is closed), and POSIX
    /// is several times faster than `Data.write` for thousands of small files.
    public static func replace(_ url: URL, with bytes: [UInt8]) throws {
        unlink(url.path)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
            written += result
        }
    }

    /// Keeps a copy of a failing input beside the others; returns true.
    private static func keep(_ input: [UInt8], as name: String, in folder: URL) -> Bool {
        try? Data(input).write(to: folder.appendingPathComponent(name))
        return true
    }

    /// Appends the summary to the file named by `STRATA_FUZZ_REPORT`, when set.
    private static func record(_ name: String, _ summary: Summary) {
        guard let path = ProcessInfo.processInfo.environment["STRATA_FUZZ_REPORT"] else { return }
        let text = "\(name)\t\(summary.inputs)\t\(summary.parsed)\t\(summary.refused)\t"
            + String(format: "%.4f", summary.slowestSeconds) + "\n"
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            handle.closeFile()
        } else {
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        }
    }
}

/// Watches the input being parsed from a second thread and stops the process when one runs past
/// `MutationFuzzer.hangSeconds` (a hang cannot be interrupted from inside the parser).
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private let path: String
    private var started: UInt64?
    private var stopped = false

    init(path: String) {
        self.path = path
        let thread = Thread { [self] in watch() }
        thread.start()
    }

    func begin() { lock.withLock { started = DispatchTime.now().uptimeNanoseconds } }
    func end() { lock.withLock { started = nil } }
    func stop() { lock.withLock { stopped = true } }

    private func watch() {
        while true {
            Thread.sleep(forTimeInterval: 0.2)
            let (start, done) = lock.withLock { (started, stopped) }
            if done { return }
            if let start, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 > MutationFuzzer.hangSeconds {
                let message = "mutation test: the input at \(path) has run for over \(MutationFuzzer.hangSeconds) s;"
                    + " stopping (the file is kept)\n"
                FileHandle.standardError.write(Data(message.utf8))
                exit(70)
            }
        }
    }
}
