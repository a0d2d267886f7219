import StrataCore
import StrataData

/// A `DataLoader` as the batch source of `Model.fit`: each epoch's batches, with the images given
/// the model's per-example input shape (`(C, H, W)`, rows `(H, W)` or flat `(C·H·W)`).
public struct DataLoaderBatches: BatchSource {
    /// The loader that shuffles, augments and normalizes.
    public let loader: DataLoader
    /// The per-example shape the model expects.
    public let inputShape: [Int]

    /// Batches of `loader` reshaped to `inputShape` per example (same element count as one image).
    public init(_ loader: DataLoader, inputShape: [Int]) throws {
        let dataset = loader.dataset
        let pixels = dataset.channels * dataset.height * dataset.width
        guard inputShape.reduce(1, *) == pixels else {
            throw TrainingError("images of \(dataset.channels)×\(dataset.height)×\(dataset.width) do not fit the model input \(inputShape)")
        }
        self.loader = loader
        self.inputShape = inputShape
    }

    /// The number of images.
    public var sampleCount: Int { loader.dataset.count }
    /// The loader's examples per batch (per process in data-parallel training).
    public var batchSize: Int { loader.batchSize }
    /// The loader's batches per epoch.
    public var batchesPerEpoch: Int { loader.batchCount }

    /// The batches of epoch `epoch`, reshaped.
    public func batches(epoch: Int) -> AnySequence<(inputs: Tensor, targets: Tensor)> {
        batches(epoch: epoch, from: 0)
    }

    /// The batches of epoch `epoch` from batch `first` on, reshaped; the skipped ones are not built.
    public func batches(epoch: Int, from first: Int) -> AnySequence<(inputs: Tensor, targets: Tensor)> {
        let shape = inputShape
        return AnySequence(loader.batches(forEpoch: epoch, from: first).lazy.map { batch in
            (batch.images.reshaped([batch.count] + shape), batch.labels)
        })
    }
}
