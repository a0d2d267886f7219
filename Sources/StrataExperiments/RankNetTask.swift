import StrataCore
import StrataData
import StrataNN
import StrataTrain

/// RankNet's step for `TrainingLoop`: a batch of random image pairs from the training set, the pair
/// loss through the shared scorer, the running pair measures (`loss`, `mse`, `accuracy`), and after each
/// epoch the same on fixed validation pairs (`val_…`). The pair stream's generator is the task's random
/// state; augmentation draws are numbered by the global step.
final class RankNetTask: TrainingTask {
    let scorer: Model
    let options: RankNetOptions
    let training: Dataset
    let validation: Dataset
    let validationPairs: [RankedPair]
    let normalization: Normalization
    let optimizer: any Optimizer
    let schedule: ExponentialDecay
    private var sampler: PairSampler
    private var meter = PairMeter()
    private var differences: [Float] = []
    private var targets: [Float] = []

    init(scorer: Model, options: RankNetOptions, training: Dataset, validation: Dataset,
         validationPairs: [RankedPair], normalization: Normalization,
         optimizer: any Optimizer, sampler: PairSampler) {
        self.scorer = scorer
        self.options = options
        self.training = training
        self.validation = validation
        self.validationPairs = validationPairs
        self.normalization = normalization
        self.optimizer = optimizer
        self.sampler = sampler
        schedule = ExponentialDecay(initial: optimizer.learningRate, factorPerEpoch: options.decay)
    }

    /// Sets the epoch's learning rate and resets the running measures.
    func beginEpoch(state: TrainingState) throws {
        optimizer.learningRate = schedule.learningRate(epoch: state.epoch, step: state.globalStep,
                                                       stepsPerEpoch: options.stepsPerEpoch)
        meter = PairMeter()
    }

    /// The RankNet loss of the next batch of pairs.
    func loss(state: TrainingState) throws -> Tensor {
        let batch = sampler.batch(of: training, count: options.batchSize, normalization: normalization,
                                  augmentations: options.trainingAugmentations, seed: options.seed &+ 4,
                                  step: state.globalStep)
        let (loss, differences) = RankNetExperiment.pairLoss(scorer: scorer, first: batch.first, second: batch.second,
                                                             targets: batch.targets)
        self.differences = differences.scalars
        targets = batch.targets.scalars
        return loss
    }

    /// Adds the batch's pairs to the running measures.
    func endStep(loss: Float, state: TrainingState) -> Logs {
        meter.add(differences: differences, targets: targets)
        return meter.logs(prefix: "")
    }

    /// The epoch's measures, then those of the validation pairs.
    func endEpoch(state: TrainingState) throws -> Logs {
        var logs = meter.logs(prefix: "")
        let scores = try RankNetExperiment.scores(scorer, of: validation, normalization: normalization)
        var validationMeter = PairMeter()
        validationMeter.add(pairs: validationPairs, scores: scores)
        for entry in validationMeter.logs(prefix: "val_").entries { logs[entry.name] = entry.value }
        return logs
    }

    /// The epoch's running pair measures.
    var epochState: [String: String]? { meter.savedState }

    /// Puts back the running measures; the pair stream continues from the random state.
    func resumeEpoch(from saved: [String: String], state: TrainingState) throws {
        meter = try PairMeter(saved: saved)
    }

    /// The pair stream's generator.
    var randomState: [UInt64]? { sampler.generatorState }

    /// Continues the pair stream.
    func restore(randomState: [UInt64]) -> Bool { sampler.restore(generatorState: randomState) }
}
