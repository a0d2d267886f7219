import Foundation
import StrataData
import StrataNN
import StrataTrain

/// A classifier trained by `strata train`, rebuilt from its run folder: the options it was trained
/// with, and the model with its final weights (`model.safetensors`, else the last checkpoint).
public struct TrainedClassifier {
    /// Which of a run's weights to load.
    public enum Weights: String, CaseIterable, Sendable {
        /// `model.safetensors`: the weights the run saved at its end (the averaged ones when it trained with
        /// `--ema` or `--swa-start`), else the last checkpoint's trained weights.
        case final
        /// The last checkpoint's trained weights: what the optimizer produced, without any average.
        case trained
    }

    /// The run folder.
    public let folder: RunFolder
    /// The options the run was trained with.
    public let options: TrainingOptions
    /// The model with its trained weights.
    public let model: Model

    /// Loads the run in `path` with `weights`, building the model for images shaped like `dataset`'s.
    public init(_ path: String, for dataset: Dataset, weights: Weights = .final) throws {
        folder = try RunFolder(existing: path)
        options = try ClassifierTraining.loadOptions(folder)
        model = try ClassifierTraining.buildModel(options, for: dataset)
        let finalWeights = folder.url.appendingPathComponent("model.safetensors")
        let useFinal = weights == .final && FileManager.default.fileExists(atPath: finalWeights.path)
        let file = useFinal ? finalWeights : folder.checkpoint
        if !useFinal, !FileManager.default.fileExists(atPath: file.path) {
            throw ExperimentError("\(path) holds no checkpoint (\(file.lastPathComponent)) to load the trained weights from")
        }
        try Checkpoint.load(from: file).restore(into: model.parameters, buffers: model.buffers)
    }

    /// The data the run was trained on (or `dataset` when given), loaded as the run loaded it.
    public static func data(of path: String, dataset: String? = nil, dataDirectory: String? = nil) throws -> ExperimentData {
        let options = try ClassifierTraining.loadOptions(try RunFolder(existing: path))
        return try ExperimentData.load(dataset ?? options.dataset, dataDirectory: dataDirectory ?? options.dataDirectory,
                                       seed: options.seed)
    }

    /// How test images must be prepared for this model (deskewed when it was trained so).
    public var augmentation: AugmentationChoice { AugmentationChoice(rawValue: options.augment) ?? .none }
}

/// Several trained classifiers voting (`strata ensemble`).
public enum Ensemble {
    /// Each member's evaluation and the ensemble's, by majority vote and by averaged probabilities.
    public struct Result: Sendable {
        /// The members' run folders.
        public let members: [String]
        /// Each member's evaluation on the test set.
        public let memberEvaluations: [ClassifierEvaluation]
        /// The majority vote (ties go to the class with the highest summed probability).
        public let vote: ClassifierEvaluation
        /// The class with the highest mean probability.
        public let average: ClassifierEvaluation
    }

    /// Evaluates every run in `paths` on `data`'s test set and combines them.
    public static func run(_ paths: [String], data: ExperimentData) throws -> Result {
        guard paths.count >= 2 else { throw ExperimentError("an ensemble needs at least two run folders, got \(paths.count)") }
        let test = data.test
        let evaluations = try paths.map { path -> ClassifierEvaluation in
            let member = try TrainedClassifier(path, for: test)
            return try ClassifierEvaluation.run(member.model, on: test, augmentation: member.augmentation)
        }
        let classes = test.classCount, n = test.count
        var summed = [Float](repeating: 0, count: n * classes)
        var votes = [Float](repeating: 0, count: n * classes)
        for evaluation in evaluations {
            for i in 0..<(n * classes) { summed[i] += evaluation.probabilities[i] }
            for (i, predicted) in evaluation.predictions.enumerated() where predicted >= 0 { votes[i * classes + predicted] += 1 }
        }
        let count = Float(evaluations.count)
        let mean = summed.map { $0 / count }
        // A vote counts 1; the mean probability (< 1) only breaks ties between equally voted classes.
        let voteScores = zip(votes, mean).map { $0 + $1 / (count + 1) }
        let averageLoss = -zip(0..<n, test.labels).reduce(0.0) { $0 + Double(log(max(mean[$1.0 * classes + $1.1], 1e-12))) } / Double(n)
        return Result(members: paths, memberEvaluations: evaluations,
                      vote: ClassifierEvaluation(probabilities: voteScores, labels: test.labels, classCount: classes, loss: .nan),
                      average: ClassifierEvaluation(probabilities: mean, labels: test.labels, classCount: classes, loss: averageLoss))
    }
}
