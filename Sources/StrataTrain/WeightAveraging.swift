import StrataCore
import StrataNN

/// An average of the weights kept beside the trained ones — an exponential moving average (EMA) updated
/// after every optimizer step, or stochastic weight averaging (SWA), the equal mean of the weights at the
/// end of each epoch from a given epoch on — which `TrainingLoop` validates with and saves in checkpoints.
///
/// The rules are PyTorch's `torch.optim.swa_utils.AveragedModel(use_buffers: true)`: the first update
/// copies the weights; later ones move the average by `(1 − decay) · (weights − average)` (EMA,
/// `get_ema_multi_avg_fn`, as timm's `ModelEmaV2`) or by `(weights − average) / (n + 1)` after `n` updates
/// (SWA). The buffers (batch-norm moving statistics) are averaged by the same rule, so the averaged
/// model can be validated after any epoch without a pass over the data. For EMA that is also the final
/// state: the moving statistics are themselves running means over recent batches, and their average
/// tracks the slowly moving averaged weights. For SWA, whose average spans weights many epochs apart,
/// recompute them at the end with `Model.recomputeBatchNormalization(over:epoch:)`, as PyTorch's `update_bn`.
///
/// ```swift
/// loop.weightAveraging = WeightAveraging(.exponential(decay: 0.999), parameters: model.parameters,
///                                        buffers: model.buffers)
/// try loop.run()
/// loop.weightAveraging?.copyAverageIntoWeights()
/// ```
public final class WeightAveraging {
    /// How the average is taken.
    public enum Method: Equatable, Sendable {
        /// An exponential moving average with weight `decay` on the old average, updated after every step.
        case exponential(decay: Float)
        /// The equal mean of the weights at the end of epochs `startEpoch`, `startEpoch + 1`, … (1-based).
        case stochastic(startEpoch: Int)
    }

    /// The prefix of the averaged tensors' names in a checkpoint (`average/<parameter name>`).
    public static let tensorPrefix = "average/"
    /// The checkpoint extras key of the number of updates averaged so far.
    public static let updatesKey = "weight_average_updates"

    /// How the average is taken.
    public let method: Method
    /// The trained parameters, then the buffers, in the order of `averages`.
    public let tensors: [Parameter]
    /// The averaged values, one array per entry of `tensors`, row-major like them (empty before the first update).
    public private(set) var averages: [[Float]]
    /// The number of updates taken into the average (0: none yet, the weights are used as they are).
    public private(set) var updates = 0

    /// An average of `parameters` and `buffers` (dense tensors, as a model's are) by `method`; a decay must be
    /// in [0, 1) and a start epoch at least 1.
    public init(_ method: Method, parameters: [Parameter], buffers: [Parameter] = []) {
        switch method {
        case .exponential(let decay):
            precondition(decay >= 0 && decay < 1, "WeightAveraging: decay must be in [0, 1), got \(decay)")
        case .stochastic(let startEpoch):
            precondition(startEpoch >= 1, "WeightAveraging: the start epoch must be at least 1, got \(startEpoch)")
        }
        for parameter in parameters + buffers {
            precondition(parameter.tensor.isContiguous, "WeightAveraging: '\(parameter.name)' is a strided view")
        }
        self.method = method
        tensors = parameters + buffers
        averages = []
    }

    /// Whether an average exists yet (validation and the final weights use it only then).
    public var hasAverage: Bool { updates > 0 }

    /// After an optimizer step: an EMA takes the weights in.
    public func stepEnded() {
        if case .exponential = method { update() }
    }

    /// At the end of epoch `epoch` (0-based), before validation: SWA takes the weights in from its start epoch on.
    public func epochEnded(epoch: Int) {
        if case .stochastic(let startEpoch) = method, epoch + 1 >= startEpoch { update() }
    }

    /// Takes the current weights into the average by the method's rule.
    public func update() {
        defer { updates += 1 }
        guard updates > 0 else {
            averages = tensors.map { Array(UnsafeBufferPointer(start: $0.tensor.pointer, count: $0.tensor.count)) }
            return
        }
        for (index, parameter) in tensors.enumerated() {
            let current = parameter.tensor.pointer
            averages[index].withUnsafeMutableBufferPointer { average in
                switch method {
                case .exponential(let decay):   // PyTorch's lerp: average + (1 − decay)·(current − average)
                    let weight = 1 - decay
                    for i in average.indices { average[i] += weight * (current[i] - average[i]) }
                case .stochastic:
                    let count = Float(updates + 1)
                    for i in average.indices { average[i] += (current[i] - average[i]) / count }
                }
            }
        }
    }

    /// Runs `body` with the averaged values in the weights (when there is an average), then puts the trained
    /// ones back bit for bit, also when `body` throws.
    public func withAveragedWeights<Result>(_ body: () throws -> Result) rethrows -> Result {
        guard hasAverage else { return try body() }
        exchange()
        defer { exchange() }
        return try body()
    }

    /// Overwrites the weights with the average (at the end of training); nothing happens before the first update.
    public func copyAverageIntoWeights() {
        guard hasAverage else { return }
        for (parameter, average) in zip(tensors, averages) {
            parameter.tensor.pointer.update(from: average, count: average.count)
            parameter.tensor.storage.bumpVersion()
        }
    }

    /// Swaps the weights' values with the averages'.
    private func exchange() {
        for index in tensors.indices {
            let tensor = tensors[index].tensor
            averages[index].withUnsafeMutableBufferPointer { average in
                let weights = tensor.pointer
                for i in average.indices {
                    let trained = weights[i]
                    weights[i] = average[i]
                    average[i] = trained
                }
            }
            tensor.storage.bumpVersion()
        }
    }

    /// The averaged tensors by checkpoint name (`average/<name>`); empty before the first update.
    public var checkpointTensors: [String: Tensor] {
        guard hasAverage else { return [:] }
        var named: [String: Tensor] = [:]
        for (parameter, average) in zip(tensors, averages) {
            named[Self.tensorPrefix + parameter.name] = Tensor(shape: parameter.tensor.shape, scalars: average)
        }
        return named
    }

    /// Puts back the average saved in `checkpoint` (its `average/…` tensors and the update count); throws
    /// naming the file when the count is malformed, or a tensor is missing or has another shape.
    public func restore(from checkpoint: Checkpoint) throws {
        let path = checkpoint.source?.path ?? "(in memory)"
        let text = checkpoint.progress.extra[Self.updatesKey] ?? "0"
        guard let count = Int(text), count >= 0 else {
            throw TrainingError("\(path): '\(Self.updatesKey)' is '\(text)', not a count of weight-average updates")
        }
        var restored: [[Float]] = []
        if count > 0 {
            for parameter in tensors {
                let name = Self.tensorPrefix + parameter.name
                guard let saved = checkpoint.otherTensors[name] else {
                    throw CheckpointError.missingTensor(path: path, name: name)
                }
                guard saved.shape == parameter.tensor.shape else {
                    throw CheckpointError.shapeMismatch(path: path, name: name, expected: parameter.tensor.shape,
                                                        found: saved.shape)
                }
                restored.append(saved.contiguous().scalars)
            }
        }
        averages = restored
        updates = count
    }
}
