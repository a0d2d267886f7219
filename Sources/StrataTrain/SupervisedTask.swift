import StrataCore
import StrataNN

/// The training task of `Model.fit`: batches `(inputs, targets)` from a `BatchSource`, the compiled
/// loss on the model's outputs, the running means of the loss and the compiled metrics, and after each
/// epoch the same measures on the validation batches (`val_loss`, `val_accuracy`, …).
public final class SupervisedTask: TrainingTask {
    /// The model trained.
    public let model: Model
    /// The loss minimised.
    public let loss: any Loss
    /// The training batches.
    public let source: any BatchSource
    /// The batches evaluated after each epoch, if any.
    public let validation: (any BatchSource)?
    private var batches: AnyIterator<(inputs: Tensor, targets: Tensor)>?
    private var meter: EpochMeter
    private var last: (predictions: Tensor, targets: Tensor)?

    /// A task training `model` (compiled) on `source`, validating on `validation`.
    public init(model: Model, source: any BatchSource, validation: (any BatchSource)? = nil) throws {
        guard let loss = model.loss else {
            throw TrainingError("fit: compile(optimizer:loss:metrics:) the model before fit")
        }
        self.model = model
        self.loss = loss
        self.source = source
        self.validation = validation
        meter = EpochMeter(metrics: model.metrics)
    }

    /// Starts the epoch's batch order and resets the running means.
    public func beginEpoch(state: TrainingState) throws {
        batches = source.batches(epoch: state.epoch).makeIterator()
        meter = EpochMeter(metrics: model.metrics)
    }

    /// The epoch's running loss and metric sums.
    public var epochState: [String: String]? { meter.savedState }

    /// Puts back the running sums and starts the epoch's batches after the first `state.batch`.
    public func resumeEpoch(from saved: [String: String], state: TrainingState) throws {
        meter = try EpochMeter(metrics: model.metrics, saved: saved)
        batches = source.batches(epoch: state.epoch, from: state.batch).makeIterator()
    }

    /// The examples of the batch just computed and of a full batch.
    public var stepExamples: (count: Int, full: Int)? {
        last.map { ($0.targets.shape.first ?? 0, source.batchSize) }
    }

    /// The loss of the epoch's next batch.
    public func loss(state: TrainingState) throws -> Tensor {
        guard let (inputs, targets) = batches?.next() else {
            throw TrainingError("the batch source ended after \(state.batch) of its \(source.batchesPerEpoch) batches "
                                + "in epoch \(state.epoch + 1)")
        }
        let predictions = Precision.with(model.precision) { model.network.forward(inputs, training: true) }
        last = (predictions, targets)
        return loss(predictions: predictions, targets: targets)
    }

    /// Adds the batch's loss and metrics to the epoch's means.
    public func endStep(loss: Float, state: TrainingState) -> Logs {
        if let last { meter.add(loss: loss, predictions: last.predictions.detached(), targets: last.targets) }
        last = nil
        return meter.logs(lossName: "loss")
    }

    /// The epoch's means, then the validation loss and metrics.
    public func endEpoch(state: TrainingState) throws -> Logs {
        batches = nil
        var logs = meter.logs(lossName: "loss")
        if let validation {
            for entry in try model.evaluate(validation).entries { logs["val_" + entry.name] = entry.value }
        }
        return logs
    }
}
