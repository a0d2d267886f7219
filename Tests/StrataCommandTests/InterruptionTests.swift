import Foundation
import StrataTestSupport
import XCTest

/// Training commands interrupted as users and machines interrupt them — SIGKILL at seeded random
/// moments, SIGKILL in the middle of a checkpoint write, Ctrl-C (SIGINT), SIGTERM, a full disk — then
/// continued with `--resume`: the final weights equal those of a run that was never interrupted, bit
/// for bit, and no checkpoint is ever half-written.
final class InterruptionTests: XCTestCase {
    var workspace: CommandWorkspace!

    override func setUpWithError() throws { workspace = try CommandWorkspace("interrupt") }
    override func tearDown() { workspace.remove() }

    /// The three training commands, each small enough to run in about a second, checkpointing every epoch.
    func command(_ name: String, epochs: Int = 4) -> [String] {
        let data = workspace.data.path
        switch name {
        case "train":
            return ["train"] + workspace.tinyTraining(epochs: epochs)
        case "rank":
            return ["rank", "--dataset", "mnist", "--data-dir", data, "--epochs", String(epochs), "--steps-per-epoch", "12",
                    "--batch-size", "16", "--validation-pairs", "40", "--test-pairs", "40", "--threads", "1",
                    "--checkpoint-every", "0"]
        default:
            return ["argmax", "--episodes", String(epochs), "--batches-per-episode", "25", "--batch-size", "32",
                    "--test-batches", "1", "--test-batch-size", "10", "--threads", "1", "--checkpoint-every", "0"]
        }
    }

    /// Starts `strata` without waiting; standard output and error go to the returned log file.
    func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> (process: Process, log: URL) {
        var strata = workspace.strata
        strata.environment.merge(environment) { $1 }
        return try strata.launch(arguments)
    }

    /// The weights a finished run left in `model.safetensors`.
    func finalWeights(_ folder: String) throws -> [String: [Float]] {
        try RunFiles.safetensors(URL(fileURLWithPath: folder).appendingPathComponent("model.safetensors"))
    }

    /// Waits until `condition` holds or `seconds` pass; returns whether it held.
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(2_000)
        }
        return condition()
    }

    /// Continues the run in `folder` to its end: `--resume` when it has a checkpoint, else a fresh start.
    func finish(_ name: String, _ folder: String) throws {
        let checkpoint = folder + "/checkpoint.safetensors"
        if FileManager.default.fileExists(atPath: checkpoint) {
            try workspace.strata.succeed([name == "train" ? "train" : name, "--resume", folder])
        } else {
            try workspace.strata.succeed(command(name) + ["--out", folder, "--overwrite"])
        }
    }

    /// SIGKILL at seeded random moments of each command's run, then `--resume` (or a fresh start when
    /// no checkpoint was written yet): the same final weights as the uninterrupted run.
    func testKilledAtRandomMomentsResumesToTheSameWeights() throws {
        var generator = SystemRandomNumberGeneratorSeeded(seed: 2026)
        for name in ["train", "rank", "argmax"] {
            let straight = workspace.path("\(name)-straight")
            let start = Date()
            try workspace.strata.succeed(command(name) + ["--out", straight])
            let duration = Date().timeIntervalSince(start)
            let expected = try finalWeights(straight)
            for trial in 0..<3 {
                let folder = workspace.path("\(name)-killed-\(trial)")
                let (process, _) = try launch(command(name) + ["--out", folder])
                let moment = Double.random(in: 0.05...(0.95 * duration), using: &generator)
                usleep(useconds_t(moment * 1e6))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                try finish(name, folder)
                XCTAssertEqual(try finalWeights(folder), expected,
                               "\(name) killed after \(String(format: "%.2f", moment)) s of \(String(format: "%.2f", duration)) s")
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }
                XCTAssertEqual(leftovers, [], "a resumed run clears the temporaries a killed write left")
            }
        }
    }

    /// Killed while a checkpoint write is held between the flushed temporary file and the rename: the
    /// previous checkpoint is whole and the resumed run ends with the straight run's weights.
    func testKilledDuringACheckpointWriteKeepsThePreviousCheckpoint() throws {
        let straight = workspace.path("straight")
        try workspace.strata.succeed(command("train") + ["--out", straight])
        let folder = workspace.path("killed")
        let (process, _) = try launch(command("train") + ["--out", folder], environment: ["STRATA_TEST_WRITE_PAUSE": "0.5"])
        let checkpoint = folder + "/checkpoint.safetensors"
        let manager = FileManager.default
        // The first checkpoint committed, the second one's temporary written: kill inside that write.
        let inSecondWrite = wait(seconds: 60) {
            manager.fileExists(atPath: checkpoint)
                && ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).contains { $0.hasPrefix(".checkpoint.safetensors.") }
        }
        XCTAssertTrue(inSecondWrite, "the run never reached its second checkpoint write")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let saved = try RunFiles.safetensors(URL(fileURLWithPath: checkpoint))
        XCTAssertFalse(saved.isEmpty, "the previous checkpoint is whole and readable")
        XCTAssertTrue(try manager.contentsOfDirectory(atPath: folder).contains { $0.hasSuffix(".tmp") },
                      "the kill landed inside the write")
        try finish("train", folder)
        XCTAssertEqual(try finalWeights(folder), try finalWeights(straight))
    }

    /// Ctrl-C after the first checkpoint stops `train` at the next step with status 130, a checkpoint
    /// taken there and the command that continues; SIGTERM does the same for `argmax` with status 143.
    /// Both resume to the straight run's weights.
    func testSIGINTAndSIGTERMSaveWhereTheRunIsAndResumeExactly() throws {
        for (name, signal, status) in [("train", SIGINT, Int32(130)), ("argmax", SIGTERM, Int32(143))] {
            let straight = workspace.path("\(name)-straight")
            try workspace.strata.succeed(command(name, epochs: 8) + ["--out", straight])
            let folder = workspace.path("\(name)-signalled")
            let (process, logFile) = try launch(command(name, epochs: 8) + ["--out", folder])
            let checkpoint = folder + "/checkpoint.safetensors"
            XCTAssertTrue(wait(seconds: 60) { FileManager.default.fileExists(atPath: checkpoint) })
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "\(name) handled the signal")
            XCTAssertEqual(process.terminationStatus, status)
            let log = try String(contentsOf: logFile, encoding: .utf8)
            XCTAssertTrue(log.contains("stopped by \(signal == SIGINT ? "SIGINT" : "SIGTERM") at epoch "), log)
            XCTAssertTrue(log.contains("continue with: strata \(name) --resume \(folder)"), log)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/model.safetensors"))
            // The checkpoint was taken at the step the signal came after, inside its epoch.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
            let headerLength = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            let header = String(decoding: bytes.dropFirst(8).prefix(headerLength), as: UTF8.self)
            XCTAssertTrue(header.contains("\"extra/epoch_step\""), header)
            try workspace.strata.succeed([name, "--resume", folder])
            XCTAssertEqual(try finalWeights(folder), try finalWeights(straight), name)
        }
    }

    /// A full disk (a file-size limit, which holds for root too) while `--resume` saves its first
    /// checkpoint: a one-line error naming the file, and the previous checkpoint left as it was.
    func testFullDiskLeavesThePreviousCheckpointIntact() throws {
        let folder = workspace.path("full")
        let (process, _) = try launch(command("train", epochs: 6) + ["--out", folder])
        let checkpoint = folder + "/checkpoint.safetensors"
        XCTAssertTrue(wait(seconds: 60) { FileManager.default.fileExists(atPath: checkpoint) })
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let before = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        // Without tracking: the store could not grow either, and would say so first (a warning; training goes on).
        let outcome = try withFileSizeLimit(before.count / 2) { try workspace.strata.run(["train", "--resume", folder, "--no-tracking"]) }
        XCTAssertNotEqual(outcome.status, 0)
        let first = outcome.error.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasPrefix("Error: ") && first.contains(checkpoint) && first.contains("File too large"), outcome.error)
        XCTAssertFalse(outcome.error.contains("Fatal error"), outcome.error)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: checkpoint)), before, "the previous checkpoint is intact")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }, [])
    }
}

/// A seeded generator for the kill moments (SplitMix64), so a failing trial can be repeated.
struct SystemRandomNumberGeneratorSeeded: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
