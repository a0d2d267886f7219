import StrataNN
import StrataTrain

/// Optimizers and learning-rate schedules by the names the command line uses.
public enum OptimizerFactory {
    /// The optimizer names `--optimizer` accepts.
    public static let names = ["sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"]
    /// The schedule names `--schedule` accepts.
    public static let schedules = ["constant", "step", "exponential", "cosine", "onecycle", "plateau"]

    /// The learning rate used when none is given: the usual default of each optimizer.
    public static func defaultLearningRate(for name: String) -> Float {
        switch name {
        case "sgd", "momentum", "nesterov": return 0.01
        case "rmsprop", "adagrad": return 0.001
        default: return 0.001
        }
    }

    /// The weight decay used when none is given: 0.01 for `adamw` (PyTorch's default), else 0.
    public static func defaultWeightDecay(for name: String) -> Float {
        name == "adamw" ? 0.01 : 0
    }

    /// Throws naming `--learning-rate` or `--weight-decay` unless the rate is positive and finite and
    /// the decay finite and not negative (nil: the optimizer's default).
    public static func checkHyperparameters(learningRate: Float?, weightDecay: Float?) throws {
        if let learningRate, !(learningRate.isFinite && learningRate > 0) {
            throw ExperimentError("--learning-rate must be a positive finite number, got \(learningRate)")
        }
        if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0) {
            throw ExperimentError("--weight-decay must be a finite number ≥ 0, got \(weightDecay)")
        }
    }

    /// A new optimizer named `name` (`momentum` and `nesterov` are SGD with momentum 0.9); nil takes
    /// the optimizer's usual learning rate and weight decay (`defaultLearningRate`, `defaultWeightDecay`).
    /// Throws for an unknown name, a learning rate that is not positive and finite, or a weight decay
    /// that is negative or not finite.
    public static func make(_ name: String, learningRate: Float?, weightDecay: Float? = nil) throws -> any Optimizer {
        try checkHyperparameters(learningRate: learningRate, weightDecay: weightDecay)
        let rate = learningRate ?? defaultLearningRate(for: name)
        let weightDecay = weightDecay ?? defaultWeightDecay(for: name)
        switch name {
        case "sgd": return SGD(learningRate: rate, weightDecay: weightDecay)
        case "momentum": return SGD(learningRate: rate, momentum: 0.9, weightDecay: weightDecay)
        case "nesterov": return SGD(learningRate: rate, momentum: 0.9, nesterov: true, weightDecay: weightDecay)
        case "adam": return Adam(learningRate: rate, weightDecay: weightDecay)
        case "adamw": return AdamW(learningRate: rate, weightDecay: weightDecay)
        case "rmsprop": return RMSprop(learningRate: rate, weightDecay: weightDecay)
        case "adagrad": return Adagrad(learningRate: rate, weightDecay: weightDecay)
        default:
            throw ExperimentError("unknown optimizer '\(name)'; choose one of: \(names.joined(separator: ", "))")
        }
    }

    /// Throws naming the option at fault unless schedule `name` can run `epochs` of `stepsPerEpoch`
    /// steps with `decayFactor` and `stepEpochs` (`onecycle` needs `OneCycle.minimumTotalSteps()` steps,
    /// checked unless `checkingStepCount` is false, for when the steps per epoch are not known yet).
    public static func checkSchedule(_ name: String, epochs: Int, stepsPerEpoch: Int, decayFactor: Float,
                                     stepEpochs: Int, checkingStepCount: Bool = true) throws {
        guard schedules.contains(name) else {
            throw ExperimentError("unknown --schedule '\(name)'; choose one of: \(schedules.joined(separator: ", "))")
        }
        guard decayFactor.isFinite && decayFactor > 0 && decayFactor <= 1 else {
            throw ExperimentError("--decay must be in (0, 1], got \(decayFactor)")
        }
        guard stepEpochs >= 1 else { throw ExperimentError("scheduleStep (the epochs between step decays) must be at least 1, got \(stepEpochs)") }
        guard epochs >= 1, stepsPerEpoch >= 1, epochs <= Int.max / stepsPerEpoch else {
            throw ExperimentError("--epochs \(epochs) of \(stepsPerEpoch) steps: need at least one step and no more than \(Int.max)")
        }
        let steps = epochs * stepsPerEpoch, needed = OneCycle.minimumTotalSteps()
        if checkingStepCount && name == "onecycle" && steps < needed {
            throw ExperimentError("--schedule onecycle needs at least \(needed) training steps, got \(steps) "
                + "(\(epochs) epochs of \(stepsPerEpoch)): use more --epochs or a smaller --batch-size")
        }
    }

    /// The callbacks that carry out schedule `name` from `learningRate` over `epochs` of `stepsPerEpoch`,
    /// after `warmupEpochs` of linear warm-up (`LinearWarmup` from 1 % of the rate; the schedule then runs
    /// over the epochs left, as if training started there); throws as `checkSchedule` does, and when the
    /// warm-up leaves no epoch or is asked of `plateau`.
    public static func scheduleCallbacks(_ name: String, learningRate: Float, epochs: Int, stepsPerEpoch: Int,
                                         decayFactor: Float, stepEpochs: Int, warmupEpochs: Int = 0) throws -> [any Callback] {
        guard warmupEpochs >= 0 && warmupEpochs < epochs else {
            throw ExperimentError("--warmup-epochs must be in [0, --epochs) = [0, \(epochs)), got \(warmupEpochs)")
        }
        if warmupEpochs > 0 && name == "plateau" {
            throw ExperimentError("--warmup-epochs does not apply to --schedule plateau")
        }
        let scheduledEpochs = epochs - warmupEpochs
        try checkSchedule(name, epochs: scheduledEpochs, stepsPerEpoch: stepsPerEpoch, decayFactor: decayFactor,
                          stepEpochs: stepEpochs)
        if name == "plateau" {
            return [ReduceLROnPlateau(monitor: "val_loss", detector: ReduceOnPlateau(factor: 0.5, patience: 2))]
        }
        let main: (any LearningRateSchedule)?
        switch name {
        case "constant": main = nil
        case "step": main = StepDecay(initial: learningRate, factor: decayFactor, everyEpochs: stepEpochs)
        case "exponential": main = ExponentialDecay(initial: learningRate, factorPerEpoch: decayFactor)
        case "cosine": main = CosineDecay(initial: learningRate, totalSteps: scheduledEpochs * stepsPerEpoch)
        case "onecycle": main = OneCycle(maxLearningRate: learningRate, totalSteps: scheduledEpochs * stepsPerEpoch)
        default:
            throw ExperimentError("unknown schedule '\(name)'; choose one of: \(schedules.joined(separator: ", "))")
        }
        guard warmupEpochs > 0 else { return main.map { [LearningRateScheduler($0)] } ?? [] }
        return [LearningRateScheduler(LinearWarmup(main ?? ConstantSchedule(learningRate),
                                                   warmupSteps: warmupEpochs * stepsPerEpoch))]
    }
}
