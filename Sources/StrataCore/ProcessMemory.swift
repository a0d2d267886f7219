import Foundation

/// The resident memory of this process as Linux reports it in `/proc/self/status`: the resident set
/// size now (`VmRSS`) and its peak (`VmHWM`).
///
/// The benchmarks read it the same way in every framework's process (bench/reference/benchcommon.py
/// does the same in Python), so that peak memory can be compared across frameworks:
///
/// ```swift
/// let before = ProcessMemory.current()
/// ProcessMemory.resetPeak()
/// train()
/// let grown = (ProcessMemory.current()?.peakResidentBytes ?? 0) - (before?.residentBytes ?? 0)
/// ```
public struct ProcessMemory: Equatable, Sendable {
    /// The resident set size, in bytes (`VmRSS`).
    public let residentBytes: Int
    /// The peak resident set size, in bytes (`VmHWM`), since the process started or the last `resetPeak()`.
    public let peakResidentBytes: Int

    /// Reads the two sizes from the text of a `/proc/PID/status` file; nil when either line is missing
    /// or not a number of kB.
    public init?(statusText: String) {
        var resident: Int?, peak: Int?
        for line in statusText.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { resident = ProcessMemory.kilobytes(in: line) }
            if line.hasPrefix("VmHWM:") { peak = ProcessMemory.kilobytes(in: line) }
        }
        guard let resident, let peak else { return nil }
        residentBytes = resident << 10
        peakResidentBytes = peak << 10
    }

    /// This process's sizes now; nil where `/proc/self/status` cannot be read (not Linux).
    public static func current() -> ProcessMemory? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return ProcessMemory(statusText: text)
    }

    /// Sets the peak (`VmHWM`) back to the current resident size by writing `5` to
    /// `/proc/self/clear_refs` (Linux 4.0 and later); false where that is refused.
    @discardableResult
    public static func resetPeak() -> Bool {
        let descriptor = open("/proc/self/clear_refs", O_WRONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return write(descriptor, "5", 1) == 1
    }

    /// The number of a `Name:   1234 kB` line.
    private static func kilobytes(in line: Substring) -> Int? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true).flatMap { $0.split(separator: "\t") }
        guard fields.count == 3, fields[2] == "kB" else { return nil }
        return Int(fields[1])
    }
}
