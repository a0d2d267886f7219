import Foundation
import StrataCore

/// Deterministic train/test and train/validation splits, random or stratified by class.
///
/// ```swift
/// let (train, test) = data.stratifiedSplit(fraction: 0.7, seed: 42)   // 70/30, class proportions kept
/// let (fit, validation) = train.validationSplit(fraction: 0.1, seed: 42)
/// ```
public enum DatasetSplit {
    /// Indices `0..<count` shuffled by `seed`; the first `round(count × fraction)` go to `first`, the rest to
    /// `second`. Each part is sorted, so subsets keep the original order.
    public static func randomIndices(count: Int, fraction: Double, seed: UInt64) -> (first: [Int], second: [Int]) {
        precondition((0...1).contains(fraction), "DatasetSplit.randomIndices: fraction \(fraction) is not in 0…1")
        var generator = RandomGenerator(seed: seed)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        let cut = Int((Double(count) * fraction).rounded())
        return (order[..<cut].sorted(), order[cut...].sorted())
    }

    /// Like `randomIndices`, but class by class: each class sends `round(n_c × fraction)` of its `n_c` images to
    /// `first`, so both parts keep the class proportions.
    public static func stratifiedIndices(labels: [Int], fraction: Double, seed: UInt64) -> (first: [Int], second: [Int]) {
        precondition((0...1).contains(fraction), "DatasetSplit.stratifiedIndices: fraction \(fraction) is not in 0…1")
        var byClass: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        var first: [Int] = [], second: [Int] = []
        for label in byClass.keys.sorted() {
            // One stream per class, so a class's split does not depend on the other classes.
            var generator = RandomGenerator(seed: seed, stream: UInt64(bitPattern: Int64(label)))
            var members = byClass[label]!
            members.shuffle(using: &generator)
            let cut = Int((Double(members.count) * fraction).rounded())
            first += members[..<cut]
            second += members[cut...]
        }
        return (first.sorted(), second.sorted())
    }
}

extension Dataset {
    /// Two random parts holding `fraction` and `1 - fraction` of the images, fixed by `seed`.
    public func randomSplit(fraction: Double, seed: UInt64) -> (first: Dataset, second: Dataset) {
        let (first, second) = DatasetSplit.randomIndices(count: count, fraction: fraction, seed: seed)
        return (subset(first), subset(second))
    }

    /// Two parts holding `fraction` and `1 - fraction` of each class, fixed by `seed`.
    public func stratifiedSplit(fraction: Double, seed: UInt64) -> (first: Dataset, second: Dataset) {
        let (first, second) = DatasetSplit.stratifiedIndices(labels: labels, fraction: fraction, seed: seed)
        return (subset(first), subset(second))
    }

    /// A validation set of `fraction` of the images held out of this (training) set, stratified by default.
    public func validationSplit(fraction: Double, seed: UInt64, stratified: Bool = true)
        -> (training: Dataset, validation: Dataset) {
        let (held, kept) = stratified
            ? DatasetSplit.stratifiedIndices(labels: labels, fraction: fraction, seed: seed)
            : DatasetSplit.randomIndices(count: count, fraction: fraction, seed: seed)
        return (subset(kept, name: name + "/training"), subset(held, name: name + "/validation"))
    }
}
