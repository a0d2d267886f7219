import Dispatch
import Foundation
import StrataCore
import StrataData
import StrataNN
import StrataTrain

/// The argmax experiment's step for `TrainingLoop`: a batch of fresh random vectors, the loss of the
/// network's outputs against their argmax, and each episode's (epoch's) mean `loss`, `error`, `lr` and
/// `seconds`, logged as a line per episode. The vector stream's generator is the task's random state.
final class ArgmaxTask: TrainingTask {
    let model: Model
    let options: ArgmaxOptions
    let optimizer: any Optimizer
    let schedule: ExponentialDecay
    let log: (String) -> Void
    private var generator: RandomGenerator
    private var lossTotal = 0.0
    private var errors = 0
    private var steps = 0
    private var episodeStart = DispatchTime.now()
    private var last: (outputs: Tensor, argmax: [Int])?

    init(model: Model, options: ArgmaxOptions, optimizer: any Optimizer, log: @escaping (String) -> Void) {
        self.model = model
        self.options = options
        self.optimizer = optimizer
        self.log = log
        schedule = ExponentialDecay(initial: options.initialLearningRate, factorPerEpoch: options.decay)
        generator = RandomGenerator(seed: options.seed &+ 1)
    }

    /// Sets the episode's learning rate and starts its clock and means.
    func beginEpoch(state: TrainingState) throws {
        optimizer.learningRate = schedule.learningRate(epoch: state.epoch, step: 0, stepsPerEpoch: options.batchesPerEpisode)
        episodeStart = DispatchTime.now()
        lossTotal = 0
        errors = 0
        steps = 0
    }

    /// The loss on a batch of fresh vectors.
    func loss(state: TrainingState) throws -> Tensor {
        let (inputs, argmax) = ArgmaxExperiment.vectors(count: options.batchSize, length: options.length,
                                                        generator: &generator)
        let outputs = model(inputs, training: true)
        last = (outputs, argmax)
        return ArgmaxExperiment.loss(outputs, argmax: argmax, head: options.head)
    }

    /// Adds the batch's loss and errors.
    func endStep(loss: Float, state: TrainingState) -> Logs {
        lossTotal += Double(loss)
        steps += 1
        if let last {
            let predicted = ArgmaxExperiment.predictedIndices(last.outputs.detached(), head: options.head, length: options.length)
            errors += ArgmaxVectors.mismatches(predicted, last.argmax)
        }
        last = nil
        var logs = Logs()
        logs["loss"] = lossTotal / Double(steps)
        logs["error"] = Double(errors) / Double(steps * options.batchSize)
        return logs
    }

    /// The episode's mean loss, error rate, learning rate and seconds, also written as a log line.
    func endEpoch(state: TrainingState) throws -> Logs {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - episodeStart.uptimeNanoseconds) / 1e9
        var logs = Logs()
        logs["loss"] = lossTotal / Double(Swift.max(steps, 1))
        logs["error"] = Double(errors) / Double(Swift.max(steps * options.batchSize, 1))
        logs["lr"] = Double(optimizer.learningRate)
        logs["seconds"] = seconds
        log(String(format: "Episode %d/%d - loss: %.5f - error: %.3f%% - %.2fs - lr: %.4e", state.epoch + 1,
                   options.episodes, logs["loss"]!, logs["error"]! * 100, seconds, Double(optimizer.learningRate)))
        return logs
    }

    /// The episode's running sums.
    var epochState: [String: String]? {
        ["loss_total": String(lossTotal), "errors": String(errors), "steps": String(steps)]
    }

    /// Puts back the running sums; the vector stream continues from the random state.
    func resumeEpoch(from saved: [String: String], state: TrainingState) throws {
        lossTotal = try saved.savedNumber("loss_total")
        errors = Int(try saved.savedNumber("errors"))
        steps = Int(try saved.savedNumber("steps"))
    }

    /// The vector stream's generator.
    var randomState: [UInt64]? { generator.state }

    /// Continues the vector stream.
    func restore(randomState: [UInt64]) -> Bool {
        guard let restored = RandomGenerator(state: randomState) else { return false }
        generator = restored
        return true
    }
}
