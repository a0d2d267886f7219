/// Why `loadStateDictionary(_:)` refused a state: the message names the optimizer and the entry.
///
/// ```swift
/// do { try optimizer.loadStateDictionary(state) } catch { print(error) }
/// // Adam state: entry "secondMoment/dense.kernel" is missing (its parameter has "firstMoment/dense.kernel")
/// ```
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable {
    /// What is wrong with the entry.
    public enum Problem: Equatable, Sendable {
        /// A required entry is absent; `because` says why it is required.
        case missing(because: String)
        /// The entry's shape is not the one required.
        case misshaped(expected: [Int], actual: [Int])
        /// The entry's shape differs from that of `other`, another slot of the same parameter (one of the two
        /// is wrong; which one shows at the first `step`, which checks them against the parameter).
        case inconsistentShape(actual: [Int], other: String, otherShape: [Int])
        /// The entry's value cannot be right, such as a negative or fractional iteration count.
        case invalidValue(String)
        /// The entry is not one this optimizer writes (another optimizer's state, or other settings).
        case unexpected
    }

    /// The optimizer type that refused the state, such as `Adam`.
    public let optimizer: String
    /// The name of the offending entry, such as `"firstMoment/dense.kernel"` or `"iterations"`.
    public let entry: String
    /// What is wrong with it.
    public let problem: Problem

    /// An error about `entry` of a state loaded into `optimizer`.
    public init(optimizer: String, entry: String, problem: Problem) {
        self.optimizer = optimizer
        self.entry = entry
        self.problem = problem
    }

    /// A one-line message that names the optimizer, the entry and the problem.
    public var description: String {
        switch problem {
        case .missing(let because):
            return "\(optimizer) state: entry \"\(entry)\" is missing (\(because))"
        case .misshaped(let expected, let actual):
            return "\(optimizer) state: entry \"\(entry)\" has shape \(actual), expected \(expected)"
        case .inconsistentShape(let actual, let other, let otherShape):
            return "\(optimizer) state: entry \"\(entry)\" has shape \(actual) but \"\(other)\" has shape \(otherShape) "
                + "(the slots of one parameter share its shape)"
        case .invalidValue(let reason):
            return "\(optimizer) state: entry \"\(entry)\" has an invalid value: \(reason)"
        case .unexpected:
            return "\(optimizer) state: unexpected entry \"\(entry)\" (not written by this optimizer with these settings)"
        }
    }
}
