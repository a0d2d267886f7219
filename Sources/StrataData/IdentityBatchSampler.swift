import Foundation
import StrataCore

/// Batches of P identities × K images each, for metric learning (triplet, contrastive and margin losses).
///
/// Each batch draws P distinct labels at random, then K images of each label: without replacement when the
/// label has at least K images, with replacement otherwise (so a person with 3 photos still fills K = 4 slots).
/// Batches are laid out identity by identity: rows `p·K ..< (p + 1)·K` share a label. Draws come from a
/// seeded generator, so the same seed gives the same batches.
///
/// ```swift
/// var sampler = try IdentityBatchSampler(labels: faces.labels, identitiesPerBatch: 8, imagesPerIdentity: 4, seed: 1)
/// let batch = sampler.batch(of: faces, step: 0)   // images (32, 1, 56, 46), labels (32)
/// ```
public struct IdentityBatchSampler: Sendable {
    /// P: the identities (labels) in each batch.
    public let identitiesPerBatch: Int
    /// K: the images of each identity in a batch.
    public let imagesPerIdentity: Int
    /// The dataset rows of each label, keyed by label.
    public let rowsByLabel: [Int: [Int]]
    private let labelsInOrder: [Int]
    private var generator: RandomGenerator

    /// The rows of one batch: P·K dataset indices, identity by identity.
    public var batchSize: Int { identitiesPerBatch * imagesPerIdentity }

    /// A sampler over `labels`; throws `DataError.invalidRequest` when P or K is below 1 (K below 2 gives no
    /// positive pairs) or there are fewer than P distinct labels.
    public init(labels: [Int], identitiesPerBatch: Int, imagesPerIdentity: Int, seed: UInt64) throws {
        guard identitiesPerBatch >= 2 else {
            throw DataError.invalidRequest(reason: "IdentityBatchSampler: identities per batch must be at least 2"
                + " (negatives come from other identities), got \(identitiesPerBatch)")
        }
        guard imagesPerIdentity >= 2 else {
            throw DataError.invalidRequest(reason: "IdentityBatchSampler: images per identity must be at least 2"
                + " (positives come from the same identity), got \(imagesPerIdentity)")
        }
        var rows: [Int: [Int]] = [:]
        for (row, label) in labels.enumerated() { rows[label, default: []].append(row) }
        guard rows.count >= identitiesPerBatch else {
            throw DataError.invalidRequest(reason: "IdentityBatchSampler: \(identitiesPerBatch) identities per batch"
                + " but the data has only \(rows.count) distinct labels")
        }
        self.identitiesPerBatch = identitiesPerBatch
        self.imagesPerIdentity = imagesPerIdentity
        rowsByLabel = rows
        labelsInOrder = rows.keys.sorted()
        generator = RandomGenerator(seed: seed)
    }

    /// The state of the batch stream, to continue it later with `restore(generatorState:)`.
    public var generatorState: [UInt64] { generator.state }

    /// Continues the batch stream from a saved `generatorState`; false, with nothing changed, when it is not one.
    public mutating func restore(generatorState state: [UInt64]) -> Bool {
        guard let restored = RandomGenerator(state: state) else { return false }
        generator = restored
        return true
    }

    /// The dataset rows of the next batch, P·K of them, identity by identity.
    public mutating func nextRows() -> [Int] {
        var labels = labelsInOrder
        // Partial Fisher–Yates: the first P entries become a uniform random choice of P labels.
        for i in 0..<identitiesPerBatch {
            let j = i + generator.nextInt(below: labels.count - i)
            labels.swapAt(i, j)
        }
        var rows: [Int] = []
        rows.reserveCapacity(batchSize)
        for label in labels.prefix(identitiesPerBatch) {
            var candidates = rowsByLabel[label]!
            if candidates.count >= imagesPerIdentity {
                for i in 0..<imagesPerIdentity {
                    let j = i + generator.nextInt(below: candidates.count - i)
                    candidates.swapAt(i, j)
                    rows.append(candidates[i])
                }
            } else {
                for _ in 0..<imagesPerIdentity { rows.append(candidates[generator.nextInt(below: candidates.count)]) }
            }
        }
        return rows
    }

    /// The next batch as tensors: `images` `(P·K, C, H, W)` and `labels` `(P·K)`.
    ///
    /// With `augmentations`, each image gets its own random draws, numbered by `(seed, step, position)`, so
    /// passing a step counter gives every batch fresh draws and a rerun the same ones.
    public mutating func batch(of dataset: Dataset, normalization: Normalization = .unitRange,
                               augmentations: [any ImageAugmentation] = [], seed: UInt64 = 0, step: Int = 0,
                               threads: Int = 1) -> (images: Tensor, labels: Tensor, rows: [Int]) {
        let rows = nextRows()
        let assembler = BatchAssembler(dataset: dataset, normalization: normalization, augmentations: augmentations,
                                       seed: seed, threads: threads)
        return (assembler.images(rows, epoch: step, firstPosition: 0),
                Tensor(shape: [rows.count], scalars: rows.map { Float(dataset.labels[$0]) }), rows)
    }
}
