/// What went wrong building, searching, saving or loading an index (or clustering); every message
/// names the file and the field, or the parameter, at fault.
///
/// ```swift
/// do { _ = try IndexFile.load(from: url, expectedFingerprint: "facenet-v2:3f9a", expectedDimension: 128) }
/// catch let error as IndexError { print(error) }
/// // index faces.json: field 'fingerprint' is "facenet-v1:0c1d" but the caller expects "facenet-v2:3f9a" ...
/// ```
public enum IndexError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file of the index is absent.
    case missingFile(path: String)
    /// A file exists but could not be read or written (`reason` is the system's message).
    case io(path: String, reason: String)
    /// The JSON sidecar is not valid JSON of the expected form.
    case badJSON(path: String, reason: String)
    /// A field of a file is absent, of the wrong kind, out of range, or disagrees with another.
    case invalidField(path: String, field: String, reason: String)
    /// The index was built from embeddings of another model.
    case fingerprintMismatch(path: String, expected: String, found: String)
    /// Vectors have a dimension other than the one expected; `context` is the file or the operation.
    case dimensionMismatch(context: String, expected: Int, found: Int)
    /// A parameter of a call cannot be used (`name` says which).
    case invalidParameter(name: String, reason: String)

    /// The message, naming the file and the field (or the parameter) at fault.
    public var description: String {
        switch self {
        case let .missingFile(path):
            return "index file \(path) does not exist"
        case let .io(path, reason):
            return "cannot read or write index file \(path): \(reason)"
        case let .badJSON(path, reason):
            return "index \(path) is not valid JSON: \(reason)"
        case let .invalidField(path, field, reason):
            return "index \(path): field '\(field)' \(reason)"
        case let .fingerprintMismatch(path, expected, found):
            return "index \(path): field 'fingerprint' is \"\(found)\" but the caller expects \"\(expected)\" "
                + "(the index was built from another model's embeddings; rebuild it)"
        case let .dimensionMismatch(context, expected, found):
            return "\(context): field 'dimension' is \(found) but \(expected) is expected"
        case let .invalidParameter(name, reason):
            return "parameter '\(name)' \(reason)"
        }
    }
}
