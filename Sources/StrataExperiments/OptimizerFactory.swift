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

    /// A new optimizer named `name` (`momentum` and `nesterov` are SGD with momentum 0.9).
    public static func make(_ name: String, learningRate: Float?, weightDecay: Float = 0) throws -> any Optimizer {
        let rate = learningRate ?? defaultLearningRate(for: name)
        switch name {
        case "sgd": return SGD(learningRate: rate, weightDecay: weightDecay)
        case "momentum": return SGD(learningRate: rate, momentum: 0.9, weightDecay: weightDecay)
        case "nesterov": return SGD(learningRate: rate, momentum: 0.9, nesterov: true, weightDecay: weightDecay)
        case "adam": return Adam(learningRate: rate, weightDecay: weightDecay)
        case "adamw": return AdamW(learningRate: rate, weightDecay: weightDecay == 0 ? 0.01 : weightDecay)
        case "rmsprop": return RMSprop(learningRate: rate, weightDecay: weightDecay)
        case "adagrad": return Adagrad(learningRate: rate, weightDecay: weightDecay)
        default:
            throw ExperimentError("unknown optimizer '\(name)'; choose one of: \(names.joined(separator: ", "))")
        }
    }

    /// The callbacks that carry out schedule `name` from `learningRate` over `epochs` of `stepsPerEpoch`.
    public static func scheduleCallbacks(_ name: String, learningRate: Float, epochs: Int, stepsPerEpoch: Int,
                                         decayFactor: Float, stepEpochs: Int) throws -> [any Callback] {
        switch name {
        case "constant": return []
        case "step":
            return [LearningRateScheduler(StepDecay(initial: learningRate, factor: decayFactor, everyEpochs: stepEpochs))]
        case "exponential":
            return [LearningRateScheduler(ExponentialDecay(initial: learningRate, factorPerEpoch: decayFactor))]
        case "cosine":
            return [LearningRateScheduler(CosineDecay(initial: learningRate, totalSteps: epochs * stepsPerEpoch))]
        case "onecycle":
            return [LearningRateScheduler(OneCycle(maxLearningRate: learningRate, totalSteps: epochs * stepsPerEpoch))]
        case "plateau":
            return [ReduceLROnPlateau(monitor: "val_loss", detector: ReduceOnPlateau(factor: 0.5, patience: 2))]
        default:
            throw ExperimentError("unknown schedule '\(name)'; choose one of: \(schedules.joined(separator: ", "))")
        }
    }
}
