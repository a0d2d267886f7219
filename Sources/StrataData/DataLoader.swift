import Foundation
import StrataCore

/// One batch: images `(B, C, H, W)` and labels `(B)` (class indices as floats) or one-hot `(B, K)`.
public struct Batch {
    /// The images, `(B, C, H, W)`, augmented and normalized.
    public let images: Tensor
    /// The labels: `(B)` class indices as floats, or `(B, K)` one-hot.
    public let labels: Tensor
    /// The class index of each image, `(B)`.
    public let classIndices: [Int]
    /// Where each image sits in the dataset.
    public let indices: [Int]

    /// The number of images `B`.
    public var count: Int { indices.count }
}

/// Batches of a dataset for training: shuffled per epoch with a seeded generator, augmented on the fly,
/// normalized, with the last partial batch kept or dropped, and optionally the next batch prepared on a
/// background thread while the caller works on the current one.
///
/// Each `for batch in loader` is one epoch; epoch `e`'s order is fixed by `(seed, e)` alone, so runs repeat.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, seed: 1, normalization: .standardized(mean: 0.1307, std: 0.3081),
///                         augmentations: [RandomAffine(rotationDegrees: 10)])
/// for epoch in 0..<5 {
///     for batch in loader { /* batch.images (64, 1, 28, 28), batch.labels (64) */ }
/// }
/// ```
public final class DataLoader: Sequence {
    /// The dataset batched.
    public let dataset: Dataset
    /// Images per batch `B`.
    public let batchSize: Int
    /// Whether each epoch visits the images in a fresh random order (else in dataset order).
    public let shuffle: Bool
    /// The seed every order and augmentation is derived from.
    public let seed: UInt64
    /// Whether a last batch smaller than `batchSize` is left out.
    public let dropLast: Bool
    /// Whether labels are one-hot `(B, K)` instead of class indices `(B)`.
    public let oneHot: Bool
    /// Whether the next batch is assembled on a background thread while the current one is in use.
    ///
    /// Off by default: measured on 2 cores (`strata-databench`), plain batches take ~70 µs to build, so there
    /// is nothing to hide; with on-the-fly augmentation and a training step that leaves a core idle, prefetch
    /// hides the augmentation (291 → 202 ms per 100 batches); when the step already uses every core, the
    /// background work competes with it and is slower (313 → 345 ms).
    public let prefetch: Bool
    /// The part of every batch this loader yields (the whole batch unless training data-parallel).
    public let shard: DataShard
    /// The epoch that the next `makeIterator()` (the next `for … in`) will run.
    public private(set) var nextEpoch: Int
    private let assembler: BatchAssembler

    /// A loader over `dataset`.
    ///
    /// - Parameters:
    ///   - dataset: the images and labels to batch.
    ///   - batchSize: the images per batch (the last batch of an epoch may be smaller).
    ///   - shuffle: visit the images in a new seeded order each epoch (otherwise in dataset order).
    ///   - seed: the seed of the orders and of the augmentations' random draws.
    ///   - dropLast: leave out the last batch of an epoch when it is smaller than `batchSize`.
    ///   - normalization: how bytes become floats (after augmentation, which works on [0, 1]).
    ///   - oneHot: give labels as one-hot rows `(B, K)` instead of class indices `(B)`.
    ///   - augmentations: applied in order to every image, with per-image generators derived from `seed`.
    ///   - prefetch: prepare batch `i + 1` on a background queue while the caller holds batch `i`.
    ///   - threads: how many threads may share the augmentation of one batch.
    ///   - startEpoch: the epoch the first iteration runs (to resume a run).
    ///   - shard: this process's part of each global batch of `batchSize × shard.count` images, in
    ///     data-parallel training (`batchSize` is then the images per process).
    public init(_ dataset: Dataset, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false,
                normalization: Normalization = .unitRange, oneHot: Bool = false,
                augmentations: [any ImageAugmentation] = [], prefetch: Bool = false,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, startEpoch: Int = 0,
                shard: DataShard = .whole) {
        precondition(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.oneHot = oneHot
        self.prefetch = prefetch
        self.shard = shard
        nextEpoch = startEpoch
        // Orders use streams (seed, 1, epoch) and augmentations a seed from stream (seed, 2), so changing the
        // augmentations never changes the order.
        var augmentationSeeds = RandomGenerator(seed: seed, stream: 2)
        assembler = BatchAssembler(dataset: dataset, normalization: normalization, augmentations: augmentations,
                                   seed: augmentationSeeds.next(), threads: threads)
    }

    /// The number of batches per epoch (the same for every shard).
    public var batchCount: Int {
        shard.batchCount(perPart: batchSize, total: dataset.count, dropLast: dropLast)
    }

    /// The order in which epoch `epoch` visits the dataset.
    public func order(forEpoch epoch: Int) -> [Int] {
        var order = Array(0..<dataset.count)
        if shuffle {
            var generator = RandomGenerator(seed: seed, stream: 1, UInt64(epoch))
            order.shuffle(using: &generator)
        }
        return order
    }

    /// Batch number `number` of epoch `epoch`, built now on the calling thread.
    public func batch(_ number: Int, ofEpoch epoch: Int) -> Batch {
        makeBatch(number, epoch: epoch, order: order(forEpoch: epoch))
    }

    /// The batches of the next epoch (then the epoch after, on the next call).
    public func makeIterator() -> DataLoaderIterator {
        defer { nextEpoch += 1 }
        return batches(forEpoch: nextEpoch)
    }

    /// The batches of epoch `epoch`, without moving `nextEpoch`; from batch `first` on (0-based) when
    /// given, the same batches a full pass yields from there (a run resumed part way through an epoch).
    public func batches(forEpoch epoch: Int, from first: Int = 0) -> DataLoaderIterator {
        DataLoaderIterator(loader: self, epoch: epoch, order: order(forEpoch: epoch), first: first)
    }

    /// Builds batch `number` from the epoch's `order`.
    func makeBatch(_ number: Int, epoch: Int, order: [Int]) -> Batch {
        let positions = shard.positions(ofBatch: number, perPart: batchSize, total: order.count)
        let indices = Array(order[positions])
        return Batch(images: assembler.images(indices, epoch: epoch, firstPosition: positions.lowerBound),
                     labels: assembler.labels(indices, oneHot: oneHot),
                     classIndices: indices.map { dataset.labels[$0] }, indices: indices)
    }
}

/// The batches of one epoch, in order; prefetches the next batch when the loader asks for it.
public struct DataLoaderIterator: IteratorProtocol, Sequence {
    /// The epoch these batches belong to.
    public let epoch: Int
    private let loader: DataLoader
    private let order: [Int]
    private var nextNumber = 0
    private var pending: PendingBatch?

    init(loader: DataLoader, epoch: Int, order: [Int], first: Int = 0) {
        self.loader = loader
        self.epoch = epoch
        self.order = order
        nextNumber = Swift.max(first, 0)
    }

    /// The next batch, or nil after the last one.
    public mutating func next() -> Batch? {
        let number = nextNumber
        guard number < loader.batchCount else { return nil }
        nextNumber += 1
        let batch = pending?.wait() ?? loader.makeBatch(number, epoch: epoch, order: order)
        pending = nil
        if loader.prefetch && number + 1 < loader.batchCount {
            pending = PendingBatch { [loader, order, epoch] in loader.makeBatch(number + 1, epoch: epoch, order: order) }
        }
        return batch
    }
}

/// A batch being built on a background queue; `wait()` blocks until it is ready.
private final class PendingBatch: @unchecked Sendable {
    private static let queue = DispatchQueue(label: "strata.data.prefetch", qos: .userInitiated)
    private let ready = DispatchSemaphore(value: 0)
    private var batch: Batch?

    init(_ build: @escaping () -> Batch) {
        PendingBatch.queue.async { [self] in
            batch = build()
            ready.signal()
        }
    }

    func wait() -> Batch {
        ready.wait()
        return batch!
    }
}
