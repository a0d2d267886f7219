import Foundation
import StrataCore
import StrataNN

/// A training run saved to one safetensors file: the model's parameters and buffers, the optimizer's
/// state and the `TrainingProgress`, so that a run can stop and resume where it left off.
///
/// ```swift
/// try Checkpoint.save(parameters: model.parameters, buffers: model.buffers, optimizer: adam,
///                     progress: TrainingProgress(epochsCompleted: 3, globalStep: 1266), to: url)
/// let checkpoint = try Checkpoint.load(from: url)
/// try checkpoint.restore(into: model.parameters, buffers: model.buffers, optimizer: adam)
/// let nextEpoch = checkpoint.progress.epochsCompleted + 1
/// ```
///
/// In the file, parameters and buffers are tensors named `model/<name>`, the optimizer's
/// `stateDictionary()` entries `optimizer/<key>`, and the progress is metadata (see
/// `TrainingProgress`), with `strata_checkpoint` = `1` marking the format and `optimizer` naming the
/// optimizer's type. Any safetensors reader can open it: `safe_open(path, "pt")`.
public struct Checkpoint {
    /// The prefix of the model's tensors in the file.
    public static let modelPrefix = "model/"
    /// The prefix of the optimizer's tensors in the file.
    public static let optimizerPrefix = "optimizer/"
    /// The metadata key that marks a Strata checkpoint; its value is the format version.
    public static let formatKey = "strata_checkpoint"
    /// The format version this code writes and reads.
    public static let formatVersion = "1"
    /// The metadata key that names the optimizer's type when the checkpoint holds optimizer state.
    public static let optimizerKey = "optimizer"

    /// The parameters and buffers by name (without the `model/` prefix).
    public var model: [String: Tensor]
    /// The optimizer's state dictionary (without the `optimizer/` prefix); nil when none was saved.
    public var optimizerState: [String: Tensor]?
    /// The type of the optimizer that wrote `optimizerState` (`"Adam"`), if any.
    public var optimizerType: String?
    /// Epochs, step, best value, random state, history and options.
    public var progress: TrainingProgress
    /// Tensors stored under neither prefix (kept so that a load and save keeps them).
    public var otherTensors: [String: Tensor]
    /// The file this checkpoint was loaded from, named in error messages (nil when built in memory).
    public private(set) var source: URL?

    /// A checkpoint built in memory.
    public init(model: [String: Tensor], optimizerState: [String: Tensor]? = nil, optimizerType: String? = nil,
                progress: TrainingProgress = TrainingProgress(), otherTensors: [String: Tensor] = [:]) {
        self.model = model
        self.optimizerState = optimizerState
        self.optimizerType = optimizerType
        self.progress = progress
        self.otherTensors = otherTensors
    }

    /// Saves `parameters` and `buffers` (by name), the state of `optimizer`, `progress` and `otherTensors`
    /// (stored by their own names, such as a weight average's `average/…`) to `url`, atomically (see
    /// `SafeTensorsFile.write`); throws naming the file when it cannot be written or when two tensors share
    /// a name.
    public static func save(parameters: [Parameter], buffers: [Parameter] = [], optimizer: (any Optimizer)?,
                            progress: TrainingProgress, otherTensors: [String: Tensor] = [:], to url: URL) throws {
        var model: [String: Tensor] = [:]
        for parameter in parameters + buffers {
            guard model.updateValue(parameter.tensor, forKey: parameter.name) == nil else {
                throw CheckpointError.invalidInput(path: url.path,
                    reason: "two parameters or buffers are named '\(parameter.name)'")
            }
        }
        let checkpoint = Checkpoint(model: model, optimizerState: optimizer?.stateDictionary(),
                                    optimizerType: optimizer.map { String(describing: type(of: $0)) },
                                    progress: progress, otherTensors: otherTensors)
        try checkpoint.save(to: url)
    }

    /// Writes this checkpoint to `url`, atomically.
    public func save(to url: URL) throws {
        var tensors = otherTensors
        for (name, tensor) in model { tensors[Self.modelPrefix + name] = tensor }
        for (name, tensor) in optimizerState ?? [:] { tensors[Self.optimizerPrefix + name] = tensor }
        var metadata = try progress.metadata()
        metadata[Self.formatKey] = Self.formatVersion
        if optimizerState != nil { metadata[Self.optimizerKey] = optimizerType ?? "" }
        try SafeTensorsFile.write(tensors, metadata: metadata, to: url)
    }

    /// Reads the checkpoint at `url`; throws naming the file when it is not a valid safetensors file,
    /// not a Strata checkpoint, or its progress metadata is malformed.
    public static func load(from url: URL) throws -> Checkpoint {
        let (tensors, metadata) = try SafeTensorsFile.read(from: url)
        guard let version = metadata[formatKey] else {
            throw CheckpointError.invalidMetadata(path: url.path, key: formatKey,
                reason: "is missing: this safetensors file is not a Strata checkpoint (read it with SafeTensorsFile.read)")
        }
        guard version == formatVersion else {
            throw CheckpointError.invalidMetadata(path: url.path, key: formatKey,
                reason: "is '\(version)'; this version of Strata reads checkpoint format \(formatVersion)")
        }
        var model: [String: Tensor] = [:], optimizerState: [String: Tensor] = [:], others: [String: Tensor] = [:]
        for (name, tensor) in tensors {
            if name.hasPrefix(modelPrefix) {
                model[String(name.dropFirst(modelPrefix.count))] = tensor
            } else if name.hasPrefix(optimizerPrefix) {
                optimizerState[String(name.dropFirst(optimizerPrefix.count))] = tensor
            } else {
                others[name] = tensor
            }
        }
        let optimizerType = metadata[optimizerKey]
        var checkpoint = Checkpoint(model: model, optimizerState: optimizerType == nil ? nil : optimizerState,
                                    optimizerType: optimizerType.flatMap { $0.isEmpty ? nil : $0 },
                                    progress: try TrainingProgress(metadata: metadata, path: url.path),
                                    otherTensors: others)
        checkpoint.source = url
        return checkpoint
    }

    /// Copies the saved values into the existing tensors of `parameters` and `buffers` (in place, so
    /// the model and the optimizer keep seeing the same objects) and restores `optimizer`'s state.
    ///
    /// Everything is checked before anything changes: a parameter missing from the checkpoint, a shape
    /// that differs, or (when `strict`) a saved model tensor that nothing asked for throws a
    /// `CheckpointError` naming the tensor and the file. Passing an optimizer requires saved optimizer
    /// state of the same type; the optimizer's own errors are rethrown naming the file.
    public func restore(into parameters: [Parameter], buffers: [Parameter] = [],
                        optimizer: (any Optimizer)? = nil, strict: Bool = true) throws {
        let path = source?.path ?? "(in memory)"
        var copies: [(source: Tensor, destination: Tensor)] = []
        var restored = Set<String>()
        for parameter in parameters + buffers {
            guard let saved = model[parameter.name] else {
                throw CheckpointError.missingTensor(path: path, name: Self.modelPrefix + parameter.name)
            }
            guard saved.shape == parameter.tensor.shape else {
                throw CheckpointError.shapeMismatch(path: path, name: Self.modelPrefix + parameter.name,
                                                    expected: parameter.tensor.shape, found: saved.shape)
            }
            precondition(parameter.tensor.isContiguous,
                         "Checkpoint.restore: parameter '\(parameter.name)' is a strided view; restore needs dense tensors")
            copies.append((saved.detached().contiguous(), parameter.tensor))
            restored.insert(parameter.name)
        }
        if strict {
            let unexpected = model.keys.filter { !restored.contains($0) }.sorted()
            guard unexpected.isEmpty else {
                throw CheckpointError.unexpectedTensors(path: path, names: unexpected.map { Self.modelPrefix + $0 })
            }
        }
        if let optimizer {
            let type = String(describing: Swift.type(of: optimizer))
            guard let optimizerState else {
                throw CheckpointError.optimizerState(path: path, reason: "the checkpoint holds no optimizer state")
            }
            if let optimizerType, optimizerType != type {
                throw CheckpointError.optimizerState(path: path,
                    reason: "the state was saved by \(optimizerType), not by \(type)")
            }
            try checkSlotShapes(optimizerState, against: parameters, path: path)
            do {
                try optimizer.loadStateDictionary(optimizerState)
            } catch {
                throw CheckpointError.optimizerState(path: path, reason: "\(error)")
            }
        }
        for (source, destination) in copies {
            destination.pointer.update(from: source.pointer, count: destination.count)
            destination.storage.bumpVersion()
        }
    }

    /// Checks that every per-parameter optimizer entry `<slot>/<parameter>` (a moment, a velocity) has its
    /// parameter's shape, as every optimizer's slots do; the scalar `step/<parameter>` counts are exempt. A
    /// wrong shape would otherwise pass the load and trap in the optimizer's next step.
    private func checkSlotShapes(_ state: [String: Tensor], against parameters: [Parameter], path: String) throws {
        let shapes = Dictionary(parameters.map { ($0.name, $0.tensor.shape) }, uniquingKeysWith: { first, _ in first })
        for (key, tensor) in state.sorted(by: { $0.key < $1.key }) {
            guard let slash = key.firstIndex(of: "/"), key[..<slash] != "step",
                  let shape = shapes[String(key[key.index(after: slash)...])], tensor.shape != shape else { continue }
            throw CheckpointError.shapeMismatch(path: path, name: Self.optimizerPrefix + key, expected: shape,
                                                found: tensor.shape)
        }
    }
}
