import StrataCore
@testable import StrataDistributed
import XCTest

/// A process that mpirun did not start: no MPI, rank 0 of 1, every operation leaves the data as it was.
final class LocalCommunicatorTests: XCTestCase {
    /// Values with every kind of bit pattern a gradient can hold.
    let awkward: [Float] = [1.5, -0.0, 0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, .infinity, .nan, 1e-30, 3]

    func testLaunchIsDetectedFromOpenMPIAndPMIxVariables() {
        XCTAssertFalse(Communicator.launchedByMPIRun(environment: [:]))
        XCTAssertFalse(Communicator.launchedByMPIRun(environment: ["OMPI_MCA_btl": "self"]))
        XCTAssertTrue(Communicator.launchedByMPIRun(environment: ["OMPI_COMM_WORLD_SIZE": "2"]))
        XCTAssertTrue(Communicator.launchedByMPIRun(environment: ["PMIX_RANK": "0"]))
    }

    func testWorldWithoutMPIRunIsTheLocalCommunicator() throws {
        try XCTSkipIf(Communicator.launchedByMPIRun(), "this test process was itself started by mpirun")
        let world = try Communicator.world()
        XCTAssertTrue(world === Communicator.local)
        XCTAssertEqual(world.rank, 0)
        XCTAssertEqual(world.size, 1)
        XCTAssertFalse(world.usesMPI)
        XCTAssertTrue(world.isRoot)
    }

    func testAllreduceSumAndMeanLeaveTheBitsAsTheyWere() throws {
        for reduction in [Communicator.Reduction.sum, .mean] {
            var values = awkward
            try Communicator.local.allreduce(&values, reduction)
            XCTAssertEqual(values.map(\.bitPattern), awkward.map(\.bitPattern), "\(reduction)")
        }
    }

    func testBroadcastAllgatherAndBarrierAreLocal() throws {
        var values = awkward
        try Communicator.local.broadcast(&values, root: 0)
        XCTAssertEqual(values.map(\.bitPattern), awkward.map(\.bitPattern))
        XCTAssertEqual(try Communicator.local.allgather([4, 5, 6]), [4, 5, 6])
        XCTAssertEqual(try Communicator.local.allgather([Float]()), [])
        try Communicator.local.barrier()
        try Communicator.local.finalize()
    }

    func testNonBlockingAllreduceIsCompleteAtOnce() throws {
        var values = awkward
        try values.withUnsafeMutableBufferPointer { buffer in
            let pending = try Communicator.local.startAllreduce(buffer, .mean)
            XCTAssertTrue(pending.isComplete)
            XCTAssertTrue(try pending.test())
            try pending.wait()
        }
        XCTAssertEqual(values.map(\.bitPattern), awkward.map(\.bitPattern))
    }

    func testExitTimeoutComesFromTheEnvironmentAndRefusesNonsense() throws {
        XCTAssertEqual(try MPIRuntime.exitTimeout(environment: [:]), MPIRuntime.defaultExitTimeout)
        XCTAssertEqual(try MPIRuntime.exitTimeout(environment: ["STRATA_MPI_EXIT_TIMEOUT": "2.5"]), 2.5)
        for bad in ["soon", "-1", "inf", ""] {
            XCTAssertThrowsError(try MPIRuntime.exitTimeout(environment: ["STRATA_MPI_EXIT_TIMEOUT": bad])) { error in
                XCTAssertEqual(error as? DistributedError,
                               .invalidSetting(name: "STRATA_MPI_EXIT_TIMEOUT", value: bad, expected: "a number of seconds, 0 or more"))
            }
        }
    }

    func testErrorsNameTheCall() throws {
        XCTAssertThrowsError(try MPIRuntime.check(-3, call: "MPI_Iallreduce")) { error in
            XCTAssertEqual("\(error)", "MPI_Iallreduce failed (MPI error -3): more elements than an MPI count (int) can hold")
        }
        XCTAssertNoThrow(try MPIRuntime.check(0, call: "MPI_Barrier"))
    }
}
