/// A failure of a distributed operation: an MPI call that returned an error (the communicator is set to
/// MPI_ERRORS_RETURN, so MPI reports instead of aborting), or a setting of the environment that is invalid.
///
/// After an MPI error the run cannot go on: the other ranks may be waiting in the same collective. Let the
/// process exit with the error; mpirun then ends the other ranks.
public enum DistributedError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `call` (say `MPI_Allreduce`) returned MPI error `code`, explained by `message`.
    case mpi(call: String, code: Int32, message: String)
    /// The environment variable `name` holds `value`, which is not `expected`.
    case invalidSetting(name: String, value: String, expected: String)

    /// A sentence that names the call or the variable at fault.
    public var description: String {
        switch self {
        case .mpi(let call, let code, let message):
            return "\(call) failed (MPI error \(code)): \(message)"
        case .invalidSetting(let name, let value, let expected):
            return "\(name)=\(value) is invalid: expected \(expected)"
        }
    }
}
