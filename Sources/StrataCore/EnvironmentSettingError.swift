/// A tuning variable set to a value Strata does not accept.
public struct EnvironmentSettingError: Error, CustomStringConvertible {
    /// The variable.
    public let name: String
    /// The value found.
    public let value: String
    /// The values it accepts, in words.
    public let accepted: String

    /// The message, naming the variable, its value and the accepted values.
    public var description: String { "\(name)='\(value)' is not valid: use \(accepted)" }
}
