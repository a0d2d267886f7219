import Foundation
import XCTest

/// `mpirun -np 2 strata train`: the same training as one process (within a stated tolerance), one run
/// folder written by rank 0, a rank that dies ending the job with an error instead of a hang, and a
/// resume with another number of processes refused. Skipped when mpirun is not on PATH.
final class DataParallelCommandTests: XCTestCase {
    var workspace: CommandWorkspace!

    override func setUpWithError() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        guard path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/mpirun") }) else {
            throw XCTSkip("mpirun is not on PATH (scripts/setup installs openmpi-bin)")
        }
        workspace = try CommandWorkspace("mpi")
    }

    override func tearDown() { workspace?.remove() }

    /// Starts `mpirun -np 2 strata …` in the workspace; output and errors go to the returned file.
    func launchTwoRanks(_ arguments: [String]) throws -> (process: Process, log: URL) {
        var strata = workspace.strata
        strata.environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        return try strata.launch(["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "2",
                                  "-x", "STRATA_THREADS=1", StrataProcess.executable.path] + arguments,
                                 executable: URL(fileURLWithPath: "/usr/bin/env"))
    }

    /// Waits for `process` at most `seconds`; false (after terminating it) when it was still running.
    func wait(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return false
        }
        process.waitUntilExit()
        return true
    }

    /// Two ranks with 16 images each per step train as one process with batches of 32: the weights
    /// agree within a relative 1e-4 after 2 epochs (the order of the sums differs), and rank 0 alone
    /// prints and writes.
    func testTwoRanksTrainAsOneProcessOnWholeBatches() throws {
        let tiny = workspace.tinyTraining(epochs: 2).map { $0 == "32" ? "16" : $0 }
        let (process, log) = try launchTwoRanks(["train"] + tiny + ["--out", workspace.path("parallel")])
        XCTAssertTrue(wait(process, seconds: 180), "the data-parallel run did not end")
        let output = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertEqual(output.components(separatedBy: "run folder: ").count - 1, 1, "rank 0 alone prints:\n\(output)")
        XCTAssertTrue(output.contains("data-parallel over 2 processes"), output)
        try workspace.train("single", epochs: 2)
        let parallel = try RunFiles.safetensors(workspace.url("parallel/model.safetensors"))
        let single = try RunFiles.safetensors(workspace.url("single/model.safetensors"))
        XCTAssertEqual(Set(parallel.keys), Set(single.keys))
        let scale = single.values.flatMap { $0 }.map(abs).max() ?? 1
        for (name, values) in single {
            let difference = zip(values, parallel[name]!).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(difference, 1e-4 * scale, name)
        }
    }

    /// Rank 1 killed mid-run: mpirun ends the job with a non-zero status well within a minute, and the
    /// checkpoint rank 0 saved before stays readable.
    func testAKilledRankEndsTheJobWithAnError() throws {
        let (process, log) = try launchTwoRanks(["train"] + workspace.tinyTraining(epochs: 40) + ["--out", workspace.path("killed")])
        let checkpoint = workspace.path("killed/checkpoint.safetensors")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline && process.isRunning { usleep(20_000) }
        let rankOne = try XCTUnwrap(Self.child(of: process.processIdentifier, withRank: 1), "no rank 1 under mpirun")
        let start = Date()
        kill(rankOne, SIGKILL)
        XCTAssertTrue(wait(process, seconds: 60), "the job hung after rank 1 was killed")
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
        let output = try String(contentsOf: log, encoding: .utf8)
        XCTAssertNotEqual(process.terminationStatus, 0, output)
        XCTAssertFalse(try RunFiles.safetensors(URL(fileURLWithPath: checkpoint)).isEmpty, "the last checkpoint is readable")
    }

    /// A run trained in one process cannot be resumed on two, and the message says how to resume it.
    func testResumeWithAnotherNumberOfProcessesIsRefused() throws {
        try workspace.train("one", epochs: 1)
        let (process, log) = try launchTwoRanks(["train", "--resume", workspace.path("one")])
        XCTAssertTrue(wait(process, seconds: 120))
        let output = try String(contentsOf: log, encoding: .utf8)
        XCTAssertNotEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("the run was trained on 1 process; resume it without mpirun, not with 2"), output)
    }

    /// The process among `parent`'s children whose MPI rank is `rank` (read from /proc).
    static func child(of parent: Int32, withRank rank: Int) -> Int32? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == parent,
                  let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }
}
