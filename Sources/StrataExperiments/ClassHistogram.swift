import Foundation
import StrataData
import StrataPlot

/// The per-class counts of one part of a dataset, as a bar chart (`strata histogram`).
public enum ClassHistogram {
    /// Which part of the data to count.
    public enum Part: String, CaseIterable, Sendable {
        /// The whole training set.
        case training
        /// The test set.
        case test
        /// The training set minus the validation split.
        case train = "train-split"
        /// The validation split of the training set.
        case validation
    }

    /// Counts `part` of `data` (splitting off `validationSplit`, stratified or not, with `seed`) and
    /// draws the bar chart to `output`; returns the counts per class.
    @discardableResult
    public static func draw(_ data: ExperimentData, part: Part, validationSplit: Double, stratified: Bool, seed: UInt64,
                            to output: URL) throws -> [Int] {
        let dataset: Dataset
        switch part {
        case .training: dataset = data.training
        case .test: dataset = data.test
        case .train, .validation:
            guard validationSplit > 0 && validationSplit < 1 else {
                throw ExperimentError("--part \(part.rawValue) needs --validation-split in (0, 1), got \(validationSplit)")
            }
            let split = data.training.validationSplit(fraction: validationSplit, seed: seed, stratified: stratified)
            dataset = part == .train ? split.training : split.validation
        }
        let counts = dataset.classCounts()
        var chart = BarChart(categories: dataset.classNames, counts: counts)
        chart.title = "\(data.name) \(part.rawValue): \(dataset.count) images"
        chart.yLabel = "images"
        _ = try chart.save(to: output)
        return counts
    }
}
