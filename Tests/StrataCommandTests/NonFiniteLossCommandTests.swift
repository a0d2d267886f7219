import Foundation
import XCTest

/// A diverging `strata argmax` run stops at the first non-finite loss, naming the epoch and step and
/// the way to train on regardless; with `--allow-nonfinite` it trains to the end.
final class NonFiniteLossCommandTests: XCTestCase {
    func run(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String, error: String) {
        let bundle = Bundle(for: NonFiniteLossCommandTests.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()]
        let binFolder = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("strata").path) }
        let process = Process()
        process.executableURL = (binFolder ?? bundle).appendingPathComponent("strata")
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    func testDivergingRunStopsNamingEpochAndStepUnlessAllowed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-nan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["argmax", "--episodes", "2", "--batches-per-episode", "20", "--batch-size", "16",
                         "--learning-rate", "1e6", "--test-batches", "1", "--test-batch-size", "10", "--threads", "1"]
        let stopped = try run(arguments + ["--out", "a"], in: folder)
        XCTAssertNotEqual(stopped.status, 0)
        let first = stopped.error.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasPrefix("Error: the loss became ") && first.contains(" at epoch 1, step "), stopped.error)
        XCTAssertTrue(first.contains("--allow-nonfinite"), first)
        XCTAssertFalse(stopped.error.contains("Fatal error"), stopped.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("a/checkpoint.safetensors").path),
                       "no checkpoint of a diverged state")

        let allowed = try run(arguments + ["--out", "b", "--allow-nonfinite"], in: folder)
        XCTAssertEqual(allowed.status, 0, allowed.error)
        XCTAssertTrue(allowed.output.contains("Episode 2/2"), allowed.output)
    }
}
