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
