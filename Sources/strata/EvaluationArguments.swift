import ArgumentParser
import StrataExperiments

/// The options `strata evaluate` and `strata ensemble` share: which of a run's weights to use, and how many
/// test-time augmentation views to average.
struct EvaluationArguments: ParsableArguments {
    @Option(name: .customLong("tta"), help: ArgumentHelp("Test-time augmentation: average the softmax probabilities over the image and n−1 fixed variants (default: the run's own --tta, else 1).",
                                                         discussion: "The variants, in order: one-pixel shifts right, left, down, up, then the four diagonals (up to 9 views); for runs trained with --augment flip each is followed by its mirror image (up to 18 views: --tta 2 is the image and its mirror). Shifted-in pixels are black. Deterministic."))
    var testTimeAugmentation: Int?

    @Option(help: ArgumentHelp("final or trained: the weights saved at the run's end (default), or the last checkpoint's trained weights.",
                               discussion: "The two differ for runs trained with --ema or --swa-start: final holds the average, trained what the optimizer produced."))
    var weights: String = TrainedClassifier.Weights.final.rawValue

    /// The weights chosen (validate() refused any other value).
    var choice: TrainedClassifier.Weights { TrainedClassifier.Weights(rawValue: weights) ?? .final }

    func validate() throws {
        guard TrainedClassifier.Weights(rawValue: weights) != nil else {
            throw ValidationError("--weights must be final or trained, got \(weights)")
        }
        if let testTimeAugmentation, testTimeAugmentation < 1 {
            throw ValidationError("--tta must be at least 1, got \(testTimeAugmentation)")
        }
    }
}
