/// A `STRATA_WAIT_POLICY` value that is neither `passive`, `spin` nor a whole number of spins.
public struct WaitPolicyError: Error, CustomStringConvertible {
    /// The value found.
    public let value: String

    /// The message, naming the variable, its value and the accepted values.
    public var description: String {
        "STRATA_WAIT_POLICY='\(value)' is not a wait policy: use passive, spin or a whole number of spins (e.g. 1000)"
    }
}
