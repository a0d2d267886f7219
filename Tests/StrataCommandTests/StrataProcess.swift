import Foundation
import XCTest

/// The built `strata` executable run as a subprocess in a folder of its own, with an environment that
/// finds no dataset except through the arguments (no `STRATA_DATA`, an empty home).
struct StrataProcess {
    /// What one run printed and how it ended.
    struct Outcome {
        /// The exit status.
        var status: Int32
        /// Everything written to standard output.
        var output: String
        /// Everything written to standard error.
        var error: String

        /// The standard output's lines.
        var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The `strata` executable next to the test bundle.
    static var executable: URL {
        // The bundle URL is the build folder on Linux and the .xctest bundle elsewhere.
        let bundle = Bundle(for: BundleMarker.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()]
        let folder = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("strata").path) }
        return (folder ?? bundle).appendingPathComponent("strata")
    }

    /// The working folder of the runs (relative paths in the arguments are relative to it).
    let folder: URL
    /// Variables added to the environment (`STRATA_DATA`, say).
    var environment: [String: String] = [:]

    /// Runs `executable` (`strata` by default) with `arguments` in `folder`; standard output and error go to
    /// files, so a talkative command never blocks on a full pipe.
    func run(_ arguments: [String], executable: URL = StrataProcess.executable) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = variables
        let name = UUID().uuidString.prefix(8)
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("strata-out-\(name)")
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("strata-err-\(name)")
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        try Data().write(to: outputFile)
        try Data().write(to: errorFile)
        let output = try FileHandle(forWritingTo: outputFile), error = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = output
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        try output.close()
        try error.close()
        return Outcome(status: process.terminationStatus,
                       output: String(decoding: try Data(contentsOf: outputFile), as: UTF8.self),
                       error: String(decoding: try Data(contentsOf: errorFile), as: UTF8.self))
    }

    /// The environment of the runs: no `STRATA_DATA` or cache, the folder as home, one thread, then `environment`.
    var variables: [String: String] {
        var variables = ProcessInfo.processInfo.environment
        variables["STRATA_DATA"] = nil
        variables["XDG_CACHE_HOME"] = nil
        variables["HOME"] = folder.path
        variables["OMP_WAIT_POLICY"] = nil
        variables["STRATA_THREADS"] = "1"
        variables.merge(environment) { $1 }
        return variables
    }

    /// Starts `executable` (`strata` by default) with `arguments` in `folder` without waiting, in the same
    /// environment as `run`; standard output and error go to the returned file, for tests that signal
    /// or kill the process.
    func launch(_ arguments: [String], executable: URL = StrataProcess.executable) throws -> (process: Process, log: URL) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = variables
        let log = folder.appendingPathComponent("launch-\(UUID().uuidString.prefix(6)).txt")
        try Data().write(to: log)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return (process, log)
    }

    /// Runs `strata` and asserts that it succeeded, quietly: status 0 and no crash report.
    @discardableResult
    func succeed(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.executable.path), "no strata at \(Self.executable.path)",
                      file: file, line: line)
        let outcome = try run(arguments)
        XCTAssertEqual(outcome.status, 0, "strata \(arguments.joined(separator: " ")) failed:\n\(outcome.error)",
                       file: file, line: line)
        XCTAssertFalse(outcome.error.contains("Fatal error") || outcome.error.contains("Stack dump"),
                       "crashed: \(outcome.error)", file: file, line: line)
        return outcome
    }
}

/// A class of this test bundle, to find the bundle by.
private final class BundleMarker {}
