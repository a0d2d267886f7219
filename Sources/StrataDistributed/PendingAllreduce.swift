import CStrataMPI

/// A non-blocking allreduce in flight, from `Communicator.startAllreduce`. Open MPI has no progress thread:
/// call `test()` now and then while computing to move it forward, and `wait()` when the result is needed.
/// For a mean, the division by the number of ranks happens when completion is first seen.
public final class PendingAllreduce {
    /// The shim's request, nil for an operation that was complete at once (one process).
    private let request: OpaquePointer?
    /// The buffer being reduced in place.
    private let buffer: UnsafeMutableBufferPointer<Float>
    /// The number of ranks for a mean, nil for a sum.
    private let divisor: Float?
    /// Whether an MPI call on the request failed (then it is never waited for again).
    private var failed = false

    /// Whether the reduced values are in the buffer.
    public private(set) var isComplete: Bool

    init(request: OpaquePointer?, buffer: UnsafeMutableBufferPointer<Float>, divisor: Float?) {
        self.request = request
        self.buffer = buffer
        self.divisor = divisor
        isComplete = request == nil
    }

    deinit {
        guard let request else { return }
        if !isComplete && !failed { _ = strata_mpi_wait(request) }
        strata_mpi_request_free(request)
    }

    /// Moves the operation forward without blocking (MPI_Test); true once the result is in the buffer.
    @discardableResult
    public func test() throws -> Bool {
        guard !isComplete, let request else { return true }
        var done: Int32 = 0
        try record(strata_mpi_test(request, &done), call: "MPI_Test")
        if done != 0 { complete() }
        return isComplete
    }

    /// Blocks until the result is in the buffer (MPI_Wait).
    public func wait() throws {
        guard !isComplete, let request else { return }
        try record(strata_mpi_wait(request), call: "MPI_Wait")
        complete()
    }

    /// Marks completion, dividing for a mean.
    private func complete() {
        isComplete = true
        guard let divisor else { return }
        for index in buffer.indices { buffer[index] /= divisor }
    }

    /// Throws for a failed call, remembering the failure.
    private func record(_ code: Int32, call: String) throws {
        if code != 0 { failed = true }
        try MPIRuntime.check(code, call: call)
    }
}
