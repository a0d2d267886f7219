import Foundation
import StrataData
import StrataExperiments
import StrataInterop
import StrataNN
import StrataTrain

/// The framework that trained the weights `strata import` reads.
public enum WeightSource: String, CaseIterable, Sendable {
    /// A PyTorch `state_dict` saved with `safetensors.torch.save_file`.
    case pytorch
    /// Keras weights converted to safetensors as `<layer>/<weight>` (see docs/interop.md).
    case keras
}

/// `strata import`: weights trained in PyTorch or Keras, loaded into a catalog model and saved as a run
/// folder that `strata evaluate` and `strata predict` read.
///
/// The model is built with the source's conventions: for PyTorch, batch normalization with ε = 1e-5
/// and PyTorch's momentum 0.1 (0.9 in Strata's convention); for Keras, "same" padding with the odd row
/// and column at the bottom and right (`Padding.sameKeras`). The reference PyTorch and Keras versions
/// of each model are in `scripts/make-import-fixtures.py`.
public enum WeightImport {
    /// The catalog models with a built-in name mapping (others need `mapping`).
    public static let modelsWithBuiltinMapping = ["mlp-small", "mlp", "dense128", "cnn", "vgg", "vgg-allconv"]
    /// PyTorch's batch normalization epsilon.
    public static let pytorchBatchNormEpsilon: Float = 1e-5
    /// PyTorch's default momentum 0.1 in Strata's convention (the weight of the old statistics).
    public static let pytorchBatchNormMomentum: Float = 0.9

    /// The options that build catalog model `name` the way `source` computes it.
    public static func modelOptions(for name: String, source: WeightSource) -> ModelOptions {
        var options = ModelOptions()
        switch source {
        case .pytorch where ModelCatalog.modelsWithBatchNormalization.contains(name):
            options.batchNormEpsilon = pytorchBatchNormEpsilon
            options.batchNormMomentum = pytorchBatchNormMomentum
        case .keras where ModelCatalog.modelsWithSamePadding.contains(name):
            options.samePadding = .sameKeras
        default:
            break
        }
        return options
    }

    /// The built-in mapping of `source` for `model` (a catalog model built by `modelOptions`).
    public static func builtinMapping(for model: Model, source: WeightSource) throws -> WeightMapping {
        switch source {
        case .pytorch: return try .pytorch(for: model.network, inputShape: model.inputShape)
        case .keras: return try .keras(for: model.network, inputShape: model.inputShape)
        }
    }

    /// Catalog model `name` for `dataset`'s images and classes, with the weights of `file` (through
    /// `mapping`, else the built-in mapping), and the training options that rebuild it.
    public static func load(_ file: URL, source: WeightSource, model name: String, mapping: URL? = nil,
                            datasetName: String, dataset: Dataset) throws -> (model: Model, options: TrainingOptions) {
        guard ModelCatalog.names.contains(name) else {
            throw ExperimentError("unknown model '\(name)'; choose one of: \(ModelCatalog.names.joined(separator: ", "))")
        }
        guard mapping != nil || modelsWithBuiltinMapping.contains(name) else {
            throw ExperimentError("model \(name) has no built-in \(source.rawValue) mapping; give one with --mapping "
                + "(built in: \(modelsWithBuiltinMapping.joined(separator: ", ")))")
        }
        var options = TrainingOptions()
        options.dataset = datasetName
        options.model = name
        options.modelOptions = modelOptions(for: name, source: source)
        options.epochs = 1
        let model = try ClassifierTraining.buildModel(options, for: dataset)
        let names = try mapping.map { try WeightMapping.load(from: $0) } ?? builtinMapping(for: model, source: source)
        try model.loadWeights(from: file, mapping: names)
        return (model, options)
    }

    /// Imports `file` into a new run folder at `out` (refused when it exists and is not empty, unless
    /// `overwrite`): `options.json` and `model.safetensors`. Returns the folder.
    public static func run(_ file: URL, source: WeightSource, model name: String, mapping: URL? = nil,
                           dataset: String, dataDirectory: String? = nil, out: String,
                           overwrite: Bool = false) throws -> RunFolder {
        let data = try ExperimentData.load(dataset, dataDirectory: dataDirectory)
        let imported = try load(file, source: source, model: name, mapping: mapping, datasetName: data.name,
                                dataset: data.test)
        let model = imported.model
        var options = imported.options
        options.dataDirectory = dataDirectory
        let folder = try RunFolder.create(output: out, name: "\(data.name)-\(name)-import", overwrite: overwrite)
        try AtomicFile.write(try RunReport.jsonEncoder.encode(options), to: folder.options)
        var described = options.describedValues()
        described["importedFrom"] = file.path
        described["importedFormat"] = source.rawValue
        try Checkpoint.save(parameters: model.parameters, buffers: model.buffers, optimizer: nil,
                            progress: TrainingProgress(options: described), to: folder.model)
        return folder
    }
}
