import StrataCore
import StrataData

/// Anything that yields the training batches of an epoch: in-memory tensors (`TensorBatches`), or a
/// data loader with shuffling and augmentation.
public protocol BatchSource {
    /// The number of examples.
    var sampleCount: Int { get }
    /// The number of batches in one epoch.
    var batchesPerEpoch: Int { get }
    /// The examples in a full batch (the last batch of an epoch may hold fewer).
    var batchSize: Int { get }
    /// The batches `(inputs, targets)` of epoch `epoch` (0-based); the order may depend on the epoch.
    func batches(epoch: Int) -> AnySequence<(inputs: Tensor, targets: Tensor)>
    /// The batches of epoch `epoch` from batch `first` on: the ones a full pass yields from there.
    func batches(epoch: Int, from first: Int) -> AnySequence<(inputs: Tensor, targets: Tensor)>
}

extension BatchSource {
    /// Skips the first `first` batches of a full pass (a source that can build a batch on its own overrides this).
    public func batches(epoch: Int, from first: Int) -> AnySequence<(inputs: Tensor, targets: Tensor)> {
        AnySequence(batches(epoch: epoch).dropFirst(first))
    }
}

/// Batches cut from inputs `(N, …)` and targets `(N, …)` held in memory, reshuffled each epoch
/// with a generator derived from `seed` and the epoch (so a resumed run sees the same order).
public struct TensorBatches: BatchSource {
    /// All inputs `(N, …)`.
    public let inputs: Tensor
    /// All targets `(N)` or `(N, …)`.
    public let targets: Tensor
    /// Examples per batch (the last batch may be smaller).
    public let batchSize: Int
    /// Whether to reshuffle each epoch.
    public let shuffle: Bool
    /// The seed the epoch orders derive from.
    public let seed: UInt64
    /// The part of each global batch of `batchSize × shard.count` this process takes (data-parallel training).
    public let shard: DataShard

    /// Batches of `batchSize` from matching inputs and targets (this process's part of each global
    /// batch with a `shard`).
    public init(inputs: Tensor, targets: Tensor, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0,
                shard: DataShard = .whole) throws {
        guard inputs.rank >= 1, targets.rank >= 1, inputs.shape[0] == targets.shape[0] else {
            throw TrainingError("inputs \(inputs.shape) and targets \(targets.shape) have different numbers of examples")
        }
        guard batchSize >= 1 else { throw TrainingError("batch size must be at least 1, got \(batchSize)") }
        guard inputs.shape[0] > 0 else { throw TrainingError("no training examples") }
        self.inputs = inputs
        self.targets = targets
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.shard = shard
    }

    /// The number of examples.
    public var sampleCount: Int { inputs.shape[0] }
    /// ⌈N / batchSize⌉ (global batches, with a shard).
    public var batchesPerEpoch: Int { shard.batchCount(perPart: batchSize, total: sampleCount, dropLast: false) }

    /// The example order of an epoch: a seeded shuffle, or the identity.
    public func order(epoch: Int) -> [Int] {
        var indices = Array(0..<sampleCount)
        if shuffle {
            var generator = RandomGenerator(seed: seed &+ 0x9E37_79B9 &* UInt64(epoch + 1))
            indices.shuffle(using: &generator)
        }
        return indices
    }

    /// The batches of epoch `epoch`.
    public func batches(epoch: Int) -> AnySequence<(inputs: Tensor, targets: Tensor)> {
        batches(epoch: epoch, from: 0)
    }

    /// The batches of epoch `epoch` from batch `first` on.
    public func batches(epoch: Int, from first: Int) -> AnySequence<(inputs: Tensor, targets: Tensor)> {
        let order = order(epoch: epoch)
        let inputs = inputs, targets = targets, batchSize = batchSize, count = sampleCount, shard = shard
        return AnySequence((Swift.max(first, 0)..<batchesPerEpoch).lazy.map { number in
            let indices = Array(order[shard.positions(ofBatch: number, perPart: batchSize, total: count)])
            return noGrad { (inputs.gather(indices, axis: 0), targets.gather(indices, axis: 0)) }
        })
    }
}

/// A problem with a training request a user can fix: mismatched data, a bad option, a missing setup.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, naming the option or shape at fault.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
