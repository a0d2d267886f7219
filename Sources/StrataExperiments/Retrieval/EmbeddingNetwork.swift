import Foundation
import StrataCore
import StrataData
import StrataNN
import StrataRetrieval
import StrataTrain

/// The network that maps an image to an embedding: a catalog convnet whose last dense layer has
/// `dimension` units, followed by unit normalization, so embeddings are unit vectors and the inner
/// product of two is their cosine similarity. Or, as a baseline, no network at all (`pixels`).
public enum EmbeddingNetwork {
    /// A new, unbuilt embedding model for images of `imageShape` `(C, H, W)`; nil for `pixels`.
    public static func make(_ options: RetrievalOptions, imageShape: [Int], seed: UInt64) throws -> Model? {
        if options.model == "pixels" { return nil }
        guard try ModelCatalog.layout(of: options.model) == .image else {
            throw ExperimentError("--model \(options.model) is not a convnet; the embedding network needs one of "
                + ModelCatalog.names.filter { (try? ModelCatalog.layout(of: $0)) == .image }.joined(separator: ", ")
                + " (or pixels)")
        }
        var modelOptions = ModelOptions()
        modelOptions.classes = options.dimension
        modelOptions.dropout = 0
        let network = try ModelCatalog.make(options.model, options: modelOptions)
        return try Model(Sequential(network.layers + [UnitNormalization()]), inputShape: imageShape, seed: seed)
    }

    /// The embeddings of every image of `dataset`, in order, in inference mode: `(count, dimension)`.
    ///
    /// Without a model, an image's embedding is its pixels on [0, 1] less their mean, scaled to unit length
    /// (so the baseline compares images by normalized cross-correlation). Throws when an embedding is not
    /// finite (training diverged).
    public static func embed(_ dataset: Dataset, with model: Model?, normalization: Normalization = .unitRange) throws
        -> VectorSet {
        guard let model else { return pixelEmbeddings(dataset) }
        guard dataset.imageShape == model.inputShape else {
            throw ExperimentError("\(dataset.name): images of shape \(dataset.imageShape) (C, H, W), but the network "
                + "takes \(model.inputShape)")
        }
        let loader = DataLoader(dataset, batchSize: 256, shuffle: false, normalization: normalization, threads: 1)
        var values: [Float] = []
        var dimension = 0
        noGrad {
            for batch in loader.batches(forEpoch: 0) {
                let output = model(batch.images)
                dimension = output.shape.last ?? 0
                values += output.scalars
            }
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw ExperimentError("the embedding of image \(bad / max(dimension, 1)) of \(dataset.name) is not finite: "
                + "training diverged; try a lower --learning-rate")
        }
        return VectorSet(dimension: max(dimension, 1), values: values)
    }

    /// Pixels on [0, 1], centred and scaled to unit length: `(count, C·H·W)`.
    static func pixelEmbeddings(_ dataset: Dataset) -> VectorSet {
        VectorSet(centredPixelsOf: dataset)
    }

    /// A short identity of a trained model: its name, input shape and a SHA-256 of its weights and
    /// buffers, so an index built with one model is not searched with another's embeddings.
    public static func fingerprint(of model: Model?, options: RetrievalOptions, imageShape: [Int]) -> String {
        let shape = imageShape.map(String.init).joined(separator: "x")
        guard let model else { return "pixels/\(shape)" }
        var hasher = SHA256()
        for parameter in model.parameters + model.buffers {
            hasher.update(Array(parameter.name.utf8))
            parameter.tensor.scalars.withUnsafeBytes { hasher.update($0) }
        }
        return "\(options.model)-\(options.dimension)/\(shape)/\(hasher.finalize().hex.prefix(16))"
    }
}
