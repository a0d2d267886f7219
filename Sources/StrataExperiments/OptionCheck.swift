import Foundation

/// Options of a run that can check themselves (`TrainingOptions`, `RankNetOptions`, `ArgmaxOptions`,
/// `RetrievalOptions`), so those read back from a run folder are checked as the command line's are.
public protocol ValidatableOptions: Decodable {
    /// Throws naming the command-line option at fault and its allowed range.
    func validate() throws
}

/// The checks every command's options share, each throwing an `ExperimentError` that names the option
/// and what it allows.
public enum OptionCheck {
    /// Throws unless `value` of `option` (`--epochs`) is in `range`: "--epochs must be at least 1, got 0".
    public static func count(_ value: Int, _ option: String, in range: ClosedRange<Int>) throws {
        if value < range.lowerBound { throw ExperimentError("\(option) must be at least \(range.lowerBound), got \(value)") }
        if value > range.upperBound { throw ExperimentError("\(option) must be at most \(range.upperBound), got \(value)") }
    }

    /// Throws unless `path` of `option` (`--data-dir`), when given, is an existing folder.
    public static func folder(_ path: String?, _ option: String) throws {
        guard let path else { return }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ExperimentError("\(option) \(path) is not an existing folder")
        }
    }
}
