/// What went wrong reading or writing a safetensors file or a checkpoint; every message names the file
/// and, where there is one, the tensor or metadata key at fault.
///
/// ```swift
/// do { _ = try SafeTensorsFile.read(from: url) }
/// catch let error as CheckpointError { print(error) }
/// // corrupt safetensors file /tmp/model.safetensors: header length 4096 is larger than the 100 bytes after the length prefix
/// ```
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be read or written: `action` is what failed ("write safetensors file"),
    /// `reason` the step and the system's message.
    case io(path: String, action: String, reason: String)
    /// The file is not a valid safetensors file: a bad header, offsets or data length.
    case corrupt(path: String, reason: String)
    /// A tensor in the file has an element type Strata cannot load.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// What was handed to `write` cannot be stored (a reserved or duplicate name, for example).
    case invalidInput(path: String, reason: String)
    /// The checkpoint lacks a tensor that the model (or the optimizer) needs.
    case missingTensor(path: String, name: String)
    /// A tensor in the checkpoint has a different shape from the one it is restored into.
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    /// The checkpoint holds model tensors that no parameter or buffer asked for (strict restore only).
    case unexpectedTensors(path: String, names: [String])
    /// A metadata entry that a checkpoint needs is absent or cannot be parsed.
    case invalidMetadata(path: String, key: String, reason: String)
    /// The optimizer refused the state stored in the checkpoint.
    case optimizerState(path: String, reason: String)

    /// The message, naming the file and the culprit.
    public var description: String {
        switch self {
        case let .io(path, action, reason):
            return "cannot \(action) \(path): \(reason)"
        case let .corrupt(path, reason):
            return "corrupt safetensors file \(path): \(reason)"
        case let .unsupportedDType(path, tensor, dtype):
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "safetensors file \(path): tensor '\(tensor)' has dtype \(dtype), which Strata cannot load "
                + "(it reads \(known))"
        case let .invalidInput(path, reason):
            return "cannot write safetensors file \(path): \(reason)"
        case let .missingTensor(path, name):
            return "checkpoint \(path) has no tensor '\(name)'"
        case let .shapeMismatch(path, name, expected, found):
            return "checkpoint \(path): tensor '\(name)' has shape \(found) but the model expects \(expected)"
        case let .unexpectedTensors(path, names):
            let shown = names.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            let more = names.count > 5 ? " and \(names.count - 5) more" : ""
            return "checkpoint \(path) has tensors the model does not have: \(shown)\(more)"
        case let .invalidMetadata(path, key, reason):
            return "checkpoint \(path): metadata '\(key)' \(reason)"
        case let .optimizerState(path, reason):
            return "checkpoint \(path): cannot restore the optimizer: \(reason)"
        }
    }
}
