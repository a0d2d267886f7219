import Foundation
import XCTest

/// Runs the built `strata` executable on bad input: each case must end with a non-zero status and
/// a one-line error naming what is wrong, never a crash or a stack trace.
final class CommandErrorTests: XCTestCase {
    /// The `strata` executable next to the test bundle.
    var executable: URL {
        // The bundle URL is the build folder on Linux and the .xctest bundle elsewhere.
        let bundle = Bundle(for: CommandErrorTests.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()]
        let folder = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("strata").path) }
        return (folder ?? bundle).appendingPathComponent("strata")
    }

    /// Runs `strata` with `arguments` in a temporary folder; returns the status and standard error.
    func strata(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> (status: Int32, error: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try strata(arguments, in: folder, extraEnvironment: extraEnvironment)
    }

    /// Runs `strata` with `arguments` in `folder` (also its home); returns the status and standard error.
    func strata(_ arguments: [String], in folder: URL,
                extraEnvironment: [String: String] = [:]) throws -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        // No STRATA_DATA and an empty home: only what the arguments name can be found.
        var environment = ProcessInfo.processInfo.environment
        environment["STRATA_DATA"] = nil
        environment["XDG_CACHE_HOME"] = nil
        environment["HOME"] = folder.path
        environment["OMP_WAIT_POLICY"] = nil
        environment["GOMP_SPINCOUNT"] = nil
        environment["STRATA_WAIT_POLICY"] = nil
        environment.merge(extraEnvironment) { $1 }
        process.environment = environment
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = Pipe()
        try process.run()
        let data = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Asserts a non-zero status and a first line `Error: …` containing `message`.
    func assertFails(_ arguments: [String], with message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: executable.path), "no strata at \(executable.path)")
        let (status, error) = try strata(arguments)
        XCTAssertNotEqual(status, 0, "strata \(arguments.joined(separator: " ")) must fail", file: file, line: line)
        let first = error.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasPrefix("Error: ") && first.contains(message), "got: \(error)", file: file, line: line)
        XCTAssertFalse(error.contains("Fatal error") || error.contains("Stack dump"), "crashed: \(error)", file: file, line: line)
    }

    func testUnknownModel() throws {
        try assertFails(["train", "--model", "alexnet"], with: "unknown model 'alexnet'; choose one of: mlp-small")
    }

    func testNegativeEpochCount() throws {
        try assertFails(["train", "--epochs=-3"], with: "--epochs must be at least 1, got -3")
    }

    func testBatchSizeLargerThanTheData() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = folder.appendingPathComponent("tiny.csv")
        let rows = (0..<20).map { i in ([String(i % 2)] + (0..<16).map { _ in String(i * 10 % 255) }).joined(separator: ",") }
        try rows.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        try assertFails(["train", "--dataset", csv.path, "--model", "dense128", "--batch-size", "500"],
                        with: "--batch-size 500 is larger than the")
    }

    func testMissingModelFile() throws {
        try assertFails(["evaluate", "/nonexistent/run"], with: "run folder /nonexistent/run does not exist")
        try assertFails(["predict", "/nonexistent/run", "x.png"], with: "run folder /nonexistent/run does not exist")
    }

    func testUnreadableDataFolder() throws {
        try assertFails(["train", "--dataset", "/nonexistent/images"],
                        with: "dataset '/nonexistent/images' is neither mnist, fashion-mnist nor an existing folder or CSV file")
        try assertFails(["data", "info", "mnist", "--data-dir", "/nonexistent"], with: "--data-dir /nonexistent is not an existing folder")
    }

    func testStrataRunsWithThePassiveWaitPolicy() throws {
        // libgomp prints its settings to standard error with OMP_DISPLAY_ENV=verbose; its default is
        // to spin 300,000 times before sleeping, the passive policy not at all.
        let (_, error) = try strata(["data", "info", "mnist"], extraEnvironment: ["OMP_DISPLAY_ENV": "verbose"])
        XCTAssertTrue(error.contains("GOMP_SPINCOUNT = '0'"), error)
        let (_, spinning) = try strata(["data", "info", "mnist"],
                                       extraEnvironment: ["OMP_DISPLAY_ENV": "verbose", "STRATA_WAIT_POLICY": "spin"])
        XCTAssertTrue(spinning.contains("GOMP_SPINCOUNT = '300000'"), spinning)
        let (_, bounded) = try strata(["data", "info", "mnist"],
                                      extraEnvironment: ["OMP_DISPLAY_ENV": "verbose", "STRATA_WAIT_POLICY": "1000"])
        XCTAssertTrue(bounded.contains("GOMP_SPINCOUNT = '1000'"), bounded)
    }

    func testUnknownWaitPolicy() throws {
        let (status, error) = try strata(["data", "info", "mnist"], extraEnvironment: ["STRATA_WAIT_POLICY": "fast"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(error.hasPrefix("Error: STRATA_WAIT_POLICY='fast' is not a wait policy"), error)
    }

    func testUnreadableTuningVariable() throws {
        let (status, error) = try strata(["data", "info", "mnist"], extraEnvironment: ["STRATA_GEMM": "mkl"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(error.hasPrefix("Error: STRATA_GEMM='mkl' is not valid: use onednn or openblas"), error)
    }

    func testSweepNeedsExactlyOneListedOption() throws {
        try assertFails(["sweep", "--batch-size", "8,16", "--epochs", "1,2"], with: "only one option may list several values")
    }
}
