import XCTest

/// Two ranks under mpirun running strata-mpi-check: the collectives and gradient buckets give the expected
/// bits on both ranks, a normal exit finalises, and a rank that dies ends the whole job well within the
/// time limit. Skipped when mpirun is not on PATH.
final class MultiRankTests: XCTestCase {
    /// The checks strata-mpi-check runs in `check` mode, each printed as "rank R: NAME ok".
    static let checks = ["world", "allgather"]
        + [1, 7, 1000, 65_537, 1_048_583].flatMap { ["allreduce-sum-\($0)", "allreduce-mean-\($0)"] }
        + ["allreduce-empty", "broadcast-first", "broadcast-last", "barrier", "nonblocking-allreduce",
           "buckets-several", "buckets-one-flat", "errors-return"]

    func testCollectivesAndBucketsGiveTheExpectedBitsOnBothRanks() throws {
        let outcome = try MPIJob.run("check", limit: 120)
        XCTAssertFalse(outcome.timedOut, "the checks did not end within 120 s:\n\(outcome.output)")
        XCTAssertEqual(outcome.status, 0, outcome.output)
        let lines = Set(outcome.output.split(separator: "\n").map(String.init))
        for rank in 0..<2 {
            for check in Self.checks {
                XCTAssertTrue(lines.contains("rank \(rank): \(check) ok"), "rank \(rank): \(check) not ok:\n\(outcome.output)")
            }
            XCTAssertTrue(lines.contains("rank \(rank): all checks passed"), outcome.output)
        }
    }

    /// `TrainingLoop` on two ranks: bit for bit the weights of one process averaging the same two parts'
    /// gradients, within 1e-5 of the whole-batch weights, and the same weights on both ranks every epoch.
    func testDataParallelTrainingMatchesOneProcess() throws {
        let outcome = try MPIJob.run("train", limit: 120)
        XCTAssertFalse(outcome.timedOut, outcome.output)
        XCTAssertEqual(outcome.status, 0, outcome.output)
        for rank in 0..<2 {
            for check in ["train-identical-weights", "train-equivalence", "train-equivalence-small-buckets", "train-whole-batch-96",
                          "train-whole-batch-99", "train-sync-batch-norm", "fit-api"] {
                XCTAssertTrue(outcome.output.contains("rank \(rank): \(check) ok"), "rank \(rank): \(check):\n\(outcome.output)")
            }
        }
    }

    /// Two "hosts": one rank in each of two network namespaces joined by a veth pair, over TCP, give
    /// the same results as two ranks on one host, bit for bit against one process.
    func testTwoHostsOverTCPGiveTheSameTraining() throws {
        let outcome = try MPIJob.runOnTwoHosts("train")
        XCTAssertFalse(outcome.timedOut, outcome.output)
        XCTAssertEqual(outcome.status, 0, outcome.output)
        for rank in 0..<2 {
            for check in ["train-identical-weights", "train-equivalence", "train-whole-batch-99", "fit-api"] {
                XCTAssertTrue(outcome.output.contains("rank \(rank): \(check) ok"), "rank \(rank): \(check):\n\(outcome.output)")
            }
        }
    }

    /// `scripts/mpi-two-hosts --delay` adds its delay to each direction of the link (tc netem, or its
    /// netfilter-queue stand-in where the kernel has no netem): a one-float allreduce between the two
    /// ranks waits for at least one crossing of the link, so it takes at least the delay longer.
    func testDelayedLinkAddsItsDelay() throws {
        func latency(_ outcome: MPIJob.Outcome) throws -> Int {
            XCTAssertEqual(outcome.status, 0, outcome.output)
            let line = try XCTUnwrap(outcome.output.split(separator: "\n").first { $0.hasPrefix("rank 0: allreduce-latency-us ") },
                                     outcome.output)
            return try XCTUnwrap(Int(line.split(separator: " ").last ?? ""), String(line))
        }
        let plain = try latency(MPIJob.runOnTwoHosts("latency"))
        let delayed = try latency(MPIJob.runOnTwoHosts("latency", link: ["--delay", "2ms"]))
        XCTAssertGreaterThanOrEqual(delayed, 2_000, "2 ms each way, but an allreduce took \(delayed) µs (\(plain) µs without)")
        XCTAssertLessThan(delayed, plain + 20_000, "the delayed allreduce took far longer than 2 ms more: \(delayed) µs (\(plain) µs without)")
    }

    func testRanksThatReturnWithoutFinalizeAreFinalisedAtExit() throws {
        let outcome = try MPIJob.run("exit-without-finalize", limit: 60)
        XCTAssertEqual(outcome.status, 0, outcome.output)
        XCTAssertTrue(outcome.output.contains("rank 0: sum 3.0"), outcome.output)
        XCTAssertTrue(outcome.output.contains("rank 1: sum 3.0"), outcome.output)
        XCTAssertLessThan(outcome.seconds, 20, "a normal exit waited for the exit timeout:\n\(outcome.output)")
    }

    func testRankThatExitsMidAllreduceEndsTheJob() throws {
        let outcome = try MPIJob.run("die-exit", environment: ["STRATA_MPI_EXIT_TIMEOUT": "2"], limit: 60)
        XCTAssertFalse(outcome.timedOut, "the job hung after rank 1 exited:\n\(outcome.output)")
        XCTAssertNotEqual(outcome.status, 0, outcome.output)
        XCTAssertLessThan(outcome.seconds, 30, outcome.output)
        XCTAssertTrue(outcome.output.contains("leaving without MPI_Finalize"), outcome.output)
        XCTAssertFalse(outcome.output.contains("the loop ended"), outcome.output)
    }

    func testRankKilledMidAllreduceEndsTheJob() throws {
        let outcome = try MPIJob.run("die-kill", limit: 60)
        XCTAssertFalse(outcome.timedOut, "the job hung after rank 1 was killed:\n\(outcome.output)")
        XCTAssertNotEqual(outcome.status, 0, outcome.output)
        XCTAssertLessThan(outcome.seconds, 30, outcome.output)
        XCTAssertFalse(outcome.output.contains("the loop ended"), outcome.output)
    }

    func testInvalidExitTimeoutIsAnErrorNamingTheVariable() throws {
        let outcome = try MPIJob.run("check", environment: ["STRATA_MPI_EXIT_TIMEOUT": "soon"], limit: 60)
        XCTAssertNotEqual(outcome.status, 0, outcome.output)
        XCTAssertTrue(outcome.output.contains("STRATA_MPI_EXIT_TIMEOUT=soon is invalid"), outcome.output)
    }
}
