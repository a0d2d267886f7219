import Foundation
import StrataCore

/// A pair of dataset images and the target of a ranking model: does `first` rank above `second`?
public struct RankedPair: Equatable, Sendable {
    /// The first image's index in the dataset.
    public let first: Int
    /// The second image's index in the dataset.
    public let second: Int
    /// 1 when `first`'s label ranks above `second`'s, 0 when below, 0.5 when the labels are equal.
    public let target: Float
}

/// Random pairs of images with their label order as the target, for learning to rank (RankNet-style).
///
/// The order is a list of labels from highest rank to lowest; by default `0, 1, …, K − 1` (label 0 ranks
/// highest). Pairs are drawn uniformly with a seeded generator; with `excludeEqualLabels`, the second image
/// is redrawn until its label differs from the first's.
///
/// ```swift
/// var sampler = try PairSampler(labels: train.labels, seed: 7, excludeEqualLabels: true)
/// let pairs = sampler.pairs(count: 64)
/// let batch = sampler.batch(of: train, count: 64)   // first (64, 1, 28, 28), second, targets (64)
/// ```
public struct PairSampler: Sendable {
    /// The label of every image in the dataset.
    public let labels: [Int]
    /// The rank of each label: `rank[label]`, lower ranks higher.
    public let rank: [Int: Int]
    /// Whether pairs of equal labels are left out.
    public let excludeEqualLabels: Bool
    private var generator: RandomGenerator

    /// A sampler over `labels` with `order` listing labels from highest to lowest (default ascending labels).
    ///
    /// Throws `DataError.invalidRequest` when equal labels are excluded but every image has the same label,
    /// or when a label is missing from `order`.
    public init(labels: [Int], order: [Int]? = nil, seed: UInt64, excludeEqualLabels: Bool = false) throws {
        let distinct = Set(labels)
        let ranking = order ?? distinct.sorted()
        guard labels.count >= 2 else {
            throw DataError.invalidRequest(reason: "PairSampler: pairs need at least two images, got \(labels.count)")
        }
        var rank: [Int: Int] = [:]
        for (position, label) in ranking.enumerated() where rank[label] == nil { rank[label] = position }
        if let missing = distinct.sorted().first(where: { rank[$0] == nil }) {
            throw DataError.invalidRequest(reason: "PairSampler: label \(missing) is not in the order \(ranking)")
        }
        if excludeEqualLabels && distinct.count < 2 {
            throw DataError.invalidRequest(reason: "PairSampler: pairs of unequal labels need at least two labels,"
                + " but every image has label \(labels[0])")
        }
        self.labels = labels
        self.rank = rank
        self.excludeEqualLabels = excludeEqualLabels
        generator = RandomGenerator(seed: seed)
    }

    /// The target for a pair of labels: 1 if `a` ranks above `b`, 0 if below, 0.5 if equal.
    public func target(_ a: Int, _ b: Int) -> Float {
        let (ra, rb) = (rank[a]!, rank[b]!)
        return ra < rb ? 1 : (ra > rb ? 0 : 0.5)
    }

    /// The state of the pair stream, to continue it later with `restore(generatorState:)`.
    public var generatorState: [UInt64] { generator.state }

    /// Continues the pair stream from a saved `generatorState`; false, with nothing changed, when it is
    /// not a generator state.
    public mutating func restore(generatorState state: [UInt64]) -> Bool {
        guard let restored = RandomGenerator(state: state) else { return false }
        generator = restored
        return true
    }

    /// The next random pair (two different images).
    public mutating func next() -> RankedPair {
        let first = generator.nextInt(below: labels.count)
        var second: Int
        repeat {
            second = generator.nextInt(below: labels.count)
        } while second == first || (excludeEqualLabels && labels[second] == labels[first])
        return RankedPair(first: first, second: second, target: target(labels[first], labels[second]))
    }

    /// The next `count` random pairs.
    public mutating func pairs(count: Int) -> [RankedPair] {
        (0..<count).map { _ in next() }
    }

    /// The next `count` pairs as tensors: `first` and `second` `(B, C, H, W)`, `targets` `(B)`.
    ///
    /// With `augmentations`, each image gets its own random draws, numbered by `(seed, step, position)`
    /// (the first images take positions `0..<count`, the second `count..<2·count`), so passing a step
    /// counter gives every batch fresh draws and a rerun the same ones.
    public mutating func batch(of dataset: Dataset, count: Int, normalization: Normalization = .unitRange,
                               augmentations: [any ImageAugmentation] = [], seed: UInt64 = 0, step: Int = 0)
        -> (first: Tensor, second: Tensor, targets: Tensor) {
        precondition(dataset.count == labels.count,
                     "PairSampler.batch: dataset has \(dataset.count) images but the sampler \(labels.count) labels")
        let drawn = pairs(count: count)
        let assembler = BatchAssembler(dataset: dataset, normalization: normalization, augmentations: augmentations,
                                       seed: seed, threads: 1)
        return (assembler.images(drawn.map(\.first), epoch: step, firstPosition: 0),
                assembler.images(drawn.map(\.second), epoch: step, firstPosition: count),
                Tensor(shape: [count], scalars: drawn.map(\.target)))
    }
}
