import StrataCore
import StrataNN

/// A network with its training configuration, used as in Keras:
///
/// ```swift
/// let model = try Model(inputShape: [28, 28], seed: 42) {
///     Dense(28, activation: .relu)
///     Dense(28, activation: .relu)
///     Flatten()
///     Dense(10)
/// }
/// model.compile(optimizer: Adam(), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
/// print(model.summary())
/// let history = try model.fit(x: images, y: labels, batchSize: 64, epochs: 5, validationSplit: 0.1)
/// ```
public final class Model {
    /// The layers (usually a `Sequential`).
    public let network: any Layer
    /// The shape of one example (batch excluded), e.g. `[1, 28, 28]`.
    public let inputShape: [Int]
    /// The shape of one output (batch excluded).
    public let outputShape: [Int]
    /// The seed that fixed the initial weights, and from which shuffling and dropout derive.
    public let seed: UInt64
    /// The optimizer set by `compile`.
    public var optimizer: (any Optimizer)?
    /// The loss set by `compile`.
    public var loss: (any Loss)?
    /// The metrics set by `compile`.
    public var metrics: [Metric] = []
    /// Set by a callback to end training after the current batch.
    public var stopTraining = false
    /// The precision of the training steps' forward and backward passes in `fit` (`Precision`):
    /// `.bfloat16` runs convolutions and dense layers on bfloat16 operands with Float32 accumulation,
    /// keeping Float32 weights, optimizer state, batch norm and losses. Evaluation and `predict` run in Float32.
    public var precision: Precision = .float32

    /// Builds `network` for examples of `inputShape`, drawing the initial weights from `seed`.
    public init(_ network: any Layer, inputShape: [Int], seed: UInt64 = 0) throws {
        self.network = network
        self.inputShape = inputShape
        self.seed = seed
        var generator = RandomGenerator(seed: seed)
        LayerNaming.assignNames(in: network)
        outputShape = try network.build(inputShape: inputShape, generator: &generator)
    }

    /// Builds a `Sequential` of the listed layers for examples of `inputShape`.
    public convenience init(inputShape: [Int], seed: UInt64 = 0, @LayerBuilder _ content: () -> [any Layer]) throws {
        try self.init(Sequential(content()), inputShape: inputShape, seed: seed)
    }

    /// The trainable parameters with their stable names (`dense.kernel`, …).
    public var parameters: [Parameter] { network.parameters }
    /// The non-trainable state (batch-norm moving statistics) with stable names.
    public var buffers: [Parameter] { network.buffers }

    /// Sets the optimizer, the loss and the metrics used by `fit` and `evaluate`.
    public func compile(optimizer: any Optimizer, loss: any Loss, metrics: [Metric] = []) {
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
    }

    /// The network's output for a batch `(N, …)`.
    public func callAsFunction(_ input: Tensor, training: Bool = false) -> Tensor {
        network.forward(input, training: training)
    }

    /// Whether `predict` runs the network compiled for inference (`CompiledInference`: oneDNN layers
    /// chained in blocked layouts, batch normalization folded), rather than each layer's `forward`.
    /// Both give the same outputs within rounding; set false for the layer-by-layer reference.
    public var usesCompiledInference = true

    /// The network compiled for inference, made on first use.
    public private(set) lazy var compiledInference = CompiledInference(network, inputShape: inputShape)

    /// The outputs for all inputs `(N, …)`, computed in batches without recording gradients.
    public func predict(_ inputs: Tensor, batchSize: Int = 256) -> Tensor {
        precondition(batchSize > 0, "predict: batch size must be positive")
        let n = inputs.shape.first ?? 0
        if n == 0 { return Tensor.zeros([0] + outputShape) }
        let compiled = usesCompiledInference ? compiledInference : nil
        return noGrad {
            var outputs: [Tensor] = []
            for start in stride(from: 0, to: n, by: batchSize) {
                let batch = inputs.slice(axis: 0, start..<Swift.min(start + batchSize, n)).contiguous()
                outputs.append(compiled?.forward(batch) ?? network.forward(batch, training: false))
            }
            return outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, axis: 0)
        }
    }

    /// The loss and metrics over `inputs` and `targets`, in inference mode.
    public func evaluate(x inputs: Tensor, y targets: Tensor, batchSize: Int = 256) throws -> Logs {
        try evaluate(TensorBatches(inputs: inputs, targets: targets, batchSize: batchSize, shuffle: false))
    }

    /// The loss and metrics over every batch of `source` (epoch 0's order), in inference mode.
    public func evaluate(_ source: any BatchSource) throws -> Logs {
        guard let loss else { throw TrainingError("compile(optimizer:loss:metrics:) the model before evaluate") }
        var meter = EpochMeter(metrics: metrics)
        noGrad {
            for (inputs, targets) in source.batches(epoch: 0) {
                let predictions = network.forward(inputs, training: false)
                meter.add(loss: loss(predictions: predictions, targets: targets).scalar, predictions: predictions,
                          targets: targets)
            }
        }
        return meter.logs(lossName: "loss")
    }
}

/// Running means of the loss and the metrics over the batches of an epoch, weighted by batch size.
struct EpochMeter {
    let metrics: [Metric]
    private var lossTotal = 0.0
    private var count = 0
    private var metricTotals: [Double]
    private var metricCounts: [Int]

    init(metrics: [Metric]) {
        self.metrics = metrics
        metricTotals = Array(repeating: 0, count: metrics.count)
        metricCounts = Array(repeating: 0, count: metrics.count)
    }

    /// Adds one batch's mean loss and its predictions.
    mutating func add(loss: Float, predictions: Tensor, targets: Tensor) {
        let n = predictions.shape.first ?? 1
        lossTotal += Double(loss) * Double(n)
        count += n
        for (i, metric) in metrics.enumerated() {
            let (total, examples) = metric.measure(predictions: predictions, targets: targets)
            metricTotals[i] += total
            metricCounts[i] += examples
        }
    }

    /// The running sums, exactly, for a checkpoint inside an epoch.
    var savedState: [String: String] {
        var state = ["loss_total": String(lossTotal), "count": String(count)]
        for (i, metric) in metrics.enumerated() {
            state["\(metric.name).total"] = String(metricTotals[i])
            state["\(metric.name).count"] = String(metricCounts[i])
        }
        return state
    }

    /// The sums saved by `savedState` for the same metrics.
    init(metrics: [Metric], saved: [String: String]) throws {
        self.init(metrics: metrics)
        lossTotal = try saved.savedNumber("loss_total")
        count = Int(try saved.savedNumber("count"))
        for (i, metric) in metrics.enumerated() {
            metricTotals[i] = try saved.savedNumber("\(metric.name).total")
            metricCounts[i] = Int(try saved.savedNumber("\(metric.name).count"))
        }
    }

    /// `loss` then each metric, as means so far; names get `prefix` (`val_`).
    func logs(lossName: String, prefix: String = "") -> Logs {
        var logs = Logs()
        logs[prefix + lossName] = lossTotal / Double(Swift.max(count, 1))
        for (i, metric) in metrics.enumerated() {
            logs[prefix + metric.name] = metricTotals[i] / Double(Swift.max(metricCounts[i], 1))
        }
        return logs
    }
}
