import CStrataMPI
import Foundation

/// How this process meets MPI: whether mpirun started it, initialising the library once, and turning the
/// shim's error codes into `DistributedError`s.
enum MPIRuntime {
    /// The variable that sets how long a rank leaving the process waits for the others before leaving
    /// without MPI_Finalize (so that mpirun ends the job), in seconds.
    static let exitTimeoutVariable = "STRATA_MPI_EXIT_TIMEOUT"
    /// The wait when the variable is unset, in seconds.
    static let defaultExitTimeout = 30.0

    /// Whether a launcher started this process as one rank of an MPI job: Open MPI's mpirun sets
    /// `OMPI_COMM_WORLD_SIZE`, PMIx launchers (mpirun, srun --mpi=pmix) set `PMIX_RANK`.
    static func launchedByMPIRun(environment: [String: String]) -> Bool {
        environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// The exit timeout from `environment`, or the default.
    static func exitTimeout(environment: [String: String]) throws -> Double {
        guard let text = environment[exitTimeoutVariable] else { return defaultExitTimeout }
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
            throw DistributedError.invalidSetting(name: exitTimeoutVariable, value: text,
                                                  expected: "a number of seconds, 0 or more")
        }
        return seconds
    }

    /// Initialises MPI (first call only) and returns this process's rank and the number of ranks.
    static func initialize(environment: [String: String]) throws -> (rank: Int, size: Int) {
        let timeout = try exitTimeout(environment: environment)
        // The gradient buckets' non-blocking allreduce: a ring (Open MPI's libnbc algorithm 1) unless the
        // user chose. libnbc's own choice for buffers of megabytes, a binomial tree, sends the whole
        // buffer down and back up: measured with strata-ddpbench, mlp512 on 2 ranks ran at 23.5k images/s
        // on one machine and 8.9k over a 10 Gbit/s link with it, 28.0k and 17.6k with the ring.
        setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "1", 0)
        var rank: Int32 = 0, size: Int32 = 0
        try check(strata_mpi_initialize(timeout, &rank, &size), call: "MPI_Init_thread")
        return (Int(rank), Int(size))
    }

    /// Throws `DistributedError.mpi` naming `call` unless `code` is MPI_SUCCESS (0).
    static func check(_ code: Int32, call: String) throws {
        guard code != 0 else { return }
        var text = [CChar](repeating: 0, count: 512)
        strata_mpi_error_string(code, &text, text.count)
        let message = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw DistributedError.mpi(call: call, code: code, message: message)
    }
}
