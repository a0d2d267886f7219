import StrataCore
import StrataData
import StrataNN
import StrataTrain

/// The embedding network's step for `TrainingLoop`: a P×K batch of augmented training images, the
/// metric-learning loss of their embeddings, the epoch's mean `loss`, and after each epoch the rank-1
/// accuracy of the validation probes against the validation gallery (`val_rank1`). The batch stream's
/// generator is the task's random state; augmentation draws are numbered by the global step.
final class EmbeddingTask: TrainingTask {
    let model: Model
    let loss: any Loss
    let options: RetrievalOptions
    let training: Dataset
    let split: OpenSetSplit
    let optimizer: any Optimizer
    let schedule: ExponentialDecay
    let augmentations: [any ImageAugmentation]
    let seed: UInt64
    private var sampler: IdentityBatchSampler
    private var lossTotal = 0.0
    private var steps = 0

    /// A task on `training` (labels compacted to 0..<identities) with the identities of `split`.
    init(model: Model, loss: any Loss, options: RetrievalOptions, training: Dataset, split: OpenSetSplit,
         sampler: IdentityBatchSampler, optimizer: any Optimizer, seed: UInt64) {
        self.model = model
        self.loss = loss
        self.options = options
        self.training = training
        self.split = split
        self.sampler = sampler
        self.optimizer = optimizer
        self.seed = seed
        schedule = ExponentialDecay(initial: optimizer.learningRate, factorPerEpoch: options.decay)
        augmentations = options.trainingAugmentations(identities: split.identities)
    }

    /// Sets the epoch's learning rate and resets its mean loss.
    func beginEpoch(state: TrainingState) throws {
        optimizer.learningRate = schedule.learningRate(epoch: state.epoch, step: state.globalStep,
                                                       stepsPerEpoch: options.stepsPerEpoch)
        lossTotal = 0
        steps = 0
    }

    /// The loss of the next P×K batch's embeddings.
    func loss(state: TrainingState) throws -> Tensor {
        let batch = sampler.batch(of: training, augmentations: augmentations, seed: seed &+ 4,
                                  step: state.globalStep, threads: ThreadPolicy.threadCount)
        let embeddings = model(batch.images, training: true)
        return loss(predictions: embeddings, targets: batch.labels)
    }

    /// Adds the step's loss to the epoch's mean.
    func endStep(loss: Float, state: TrainingState) -> Logs {
        lossTotal += Double(loss)
        steps += 1
        var logs = Logs()
        logs["loss"] = lossTotal / Double(steps)
        return logs
    }

    /// The epoch's mean loss and the validation rank-1 accuracy.
    func endEpoch(state: TrainingState) throws -> Logs {
        var logs = Logs()
        logs["loss"] = lossTotal / Double(Swift.max(steps, 1))
        logs["val_rank1"] = try EmbeddingTraining.validationRank1(model: model, split: split)
        return logs
    }

    /// The epoch's running loss sum.
    var epochState: [String: String]? { ["loss_total": String(lossTotal), "steps": String(steps)] }

    /// Puts back the running loss sum; the batch stream continues from the random state.
    func resumeEpoch(from saved: [String: String], state: TrainingState) throws {
        lossTotal = try saved.savedNumber("loss_total")
        steps = Int(try saved.savedNumber("steps"))
    }

    /// The batch stream's generator.
    var randomState: [UInt64]? { sampler.generatorState }

    /// Continues the batch stream.
    func restore(randomState: [UInt64]) -> Bool { sampler.restore(generatorState: randomState) }
}
