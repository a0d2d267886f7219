import CStrataMPI
import Foundation

/// The processes of a data-parallel run and the collective operations between them, over Open MPI's
/// MPI_COMM_WORLD.
///
/// A process that mpirun did not start never touches MPI: `Communicator.world()` is then `local`, rank 0
/// of 1, and every operation is a local no-op or copy, so single-process runs behave as they always have.
/// Under mpirun the first `world()` call initialises MPI (MPI_THREAD_SERIALIZED: any thread may call,
/// one at a time; calls are serialised inside) and the communicator returns MPI errors as thrown
/// `DistributedError`s naming the call.
///
/// ```swift
/// let world = try Communicator.world()
/// try world.allreduce(&gradient, .mean)       // gradient: [Float]; every rank now holds the average
/// if world.isRoot { try checkpoint.save(to: url) }
/// ```
///
/// Ending: call `finalize()` on every rank when the run has ended normally. A process that exits without
/// it (an error on one rank) waits up to `STRATA_MPI_EXIT_TIMEOUT` seconds (default 30) for the others to
/// reach their exit too; if they do not — they are blocked in a collective — it leaves without MPI_Finalize
/// and mpirun ends the whole job with a non-zero status instead of hanging. A rank killed by a signal
/// makes mpirun end the job at once.
public final class Communicator: @unchecked Sendable {
    /// How `allreduce` combines the ranks' values.
    public enum Reduction: Sendable {
        /// The sum over ranks.
        case sum
        /// The sum over ranks divided by the number of ranks.
        case mean
    }

    /// This process's index among the ranks, `0..<size`.
    public let rank: Int
    /// The number of ranks.
    public let size: Int
    /// Whether operations go through MPI (false for `local`: one process, MPI never initialised).
    public let usesMPI: Bool

    /// Whether this is rank 0, the one that writes files and prints.
    public var isRoot: Bool { rank == 0 }

    /// One process on its own: rank 0 of 1, every operation local, MPI never touched.
    public static let local = Communicator(rank: 0, size: 1, usesMPI: false)

    /// The communicator `world()` made (under mpirun), kept so MPI is initialised once.
    private static let worldCache = WorldCache()

    private init(rank: Int, size: Int, usesMPI: Bool) {
        self.rank = rank
        self.size = size
        self.usesMPI = usesMPI
    }

    /// Whether a launcher (mpirun, or a PMIx launcher such as srun) started this process as one rank of an
    /// MPI job: `OMPI_COMM_WORLD_SIZE` or `PMIX_RANK` is set in `environment`.
    public static func launchedByMPIRun(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        MPIRuntime.launchedByMPIRun(environment: environment)
    }

    /// All ranks of this run: MPI_COMM_WORLD when mpirun started the process (initialising MPI on the
    /// first call), `local` otherwise. Throws when MPI_Init_thread fails or `STRATA_MPI_EXIT_TIMEOUT` is
    /// not a number of seconds.
    public static func world() throws -> Communicator {
        let environment = ProcessInfo.processInfo.environment
        guard launchedByMPIRun(environment: environment) else { return local }
        return try worldCache.communicator {
            let (rank, size) = try MPIRuntime.initialize(environment: environment)
            return Communicator(rank: rank, size: size, usesMPI: true)
        }
    }

    /// Combines `buffer` across ranks in place: afterwards every rank holds the element-wise sum (or mean).
    /// Every rank must call it with the same count.
    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ reduction: Reduction = .sum) throws {
        guard usesMPI, buffer.count > 0, let base = buffer.baseAddress else { return }
        try MPIRuntime.check(strata_mpi_allreduce_sum_float(base, buffer.count), call: "MPI_Allreduce")
        if reduction == .mean { divide(buffer) }
    }

    /// Combines `values` across ranks in place (see the buffer form).
    public func allreduce(_ values: inout [Float], _ reduction: Reduction = .sum) throws {
        try values.withUnsafeMutableBufferPointer { try allreduce($0, reduction) }
    }

    /// Copies rank `root`'s `buffer` into every other rank's `buffer` (same count on every rank).
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int = 0) throws {
        precondition((0..<size).contains(root), "Communicator.broadcast: root \(root) is not a rank of \(size)")
        guard usesMPI, buffer.count > 0, let base = buffer.baseAddress else { return }
        try MPIRuntime.check(strata_mpi_broadcast_float(base, buffer.count, Int32(root)), call: "MPI_Bcast")
    }

    /// Copies rank `root`'s `values` into every other rank's `values` (see the buffer form).
    public func broadcast(_ values: inout [Float], root: Int = 0) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
    }

    /// Every rank's `buffer` (same count on every rank) laid end to end in rank order: `(size, count)`.
    public func allgather(_ buffer: UnsafeBufferPointer<Float>) throws -> [Float] {
        guard usesMPI else { return Array(buffer) }
        var gathered = [Float](repeating: 0, count: buffer.count * size)
        guard buffer.count > 0, let base = buffer.baseAddress else { return gathered }
        try gathered.withUnsafeMutableBufferPointer { receive in
            try MPIRuntime.check(strata_mpi_allgather_float(base, buffer.count, receive.baseAddress!), call: "MPI_Allgather")
        }
        return gathered
    }

    /// Every rank's `values` laid end to end in rank order: `(size, count)` (see the buffer form).
    public func allgather(_ values: [Float]) throws -> [Float] {
        try values.withUnsafeBufferPointer { try allgather($0) }
    }

    /// Returns once every rank has called it.
    public func barrier() throws {
        guard usesMPI else { return }
        try MPIRuntime.check(strata_mpi_barrier(), call: "MPI_Barrier")
    }

    /// Starts combining `buffer` across ranks in place without waiting (MPI_Iallreduce), so that it can
    /// overlap with computation. `buffer` must stay allocated and untouched until the returned operation
    /// completes; every rank must start its non-blocking allreduces in the same order.
    public func startAllreduce(_ buffer: UnsafeMutableBufferPointer<Float>,
                               _ reduction: Reduction = .sum) throws -> PendingAllreduce {
        guard usesMPI, buffer.count > 0, let base = buffer.baseAddress else {
            return PendingAllreduce(request: nil, buffer: buffer, divisor: nil)
        }
        var request: OpaquePointer?
        try MPIRuntime.check(strata_mpi_iallreduce_sum_float(base, buffer.count, &request), call: "MPI_Iallreduce")
        return PendingAllreduce(request: request, buffer: buffer, divisor: reduction == .mean ? Float(size) : nil)
    }

    /// Ends MPI for this process after a barrier of every rank (MPI_Finalize); call it on every rank once the
    /// run has ended normally. Nothing to do for `local`. No operation may follow.
    public func finalize() throws {
        guard usesMPI else { return }
        try MPIRuntime.check(strata_mpi_finalize(), call: "MPI_Finalize")
    }

    /// Divides every element by the number of ranks (the mean after a sum).
    func divide(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let ranks = Float(size)
        for index in buffer.indices { buffer[index] /= ranks }
    }
}

/// The world communicator once made, behind a lock so that MPI is initialised once.
private final class WorldCache: @unchecked Sendable {
    private let lock = NSLock()
    private var made: Communicator?

    /// The cached communicator, or the one `make` returns (cached when it does not throw).
    func communicator(_ make: () throws -> Communicator) throws -> Communicator {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let communicator = try make()
        made = communicator
        return communicator
    }
}
