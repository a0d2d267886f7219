import Foundation
import StrataCore
import StrataNN
import StrataTrain
import XCTest

/// `accuracy` and `top_k_accuracy` decide by argmax (the first class on ties) and count a row with a
/// NaN or infinite score as wrong.
final class MetricTests: XCTestCase {
    /// The metric's share of right rows for `scores` (N, C) against `labels`.
    func share(_ metric: Metric, _ scores: [[Float]], _ labels: [Int]) -> Double {
        let predictions = Tensor(shape: [scores.count, scores[0].count], scalars: scores.flatMap { $0 })
        let (total, count) = metric.measure(predictions: predictions, targets: Tensor(labels.map(Float.init)))
        return total / Double(count)
    }

    func testPredictedClassIsTheFirstLargestAndNilForNonFiniteRows() {
        XCTAssertEqual(Metric.predictedClass([0.1, 0.7, 0.2][...]), 1)
        XCTAssertEqual(Metric.predictedClass([0.5, 0.7, 0.7][...]), 1, "the first of tied maxima")
        XCTAssertEqual(Metric.predictedClass([3, 3, 3][...]), 0)
        XCTAssertEqual(Metric.predictedClass([-1e30, -2e30][...]), 0)
        XCTAssertNil(Metric.predictedClass([.nan, 0, 1][...]))
        XCTAssertNil(Metric.predictedClass([0, .nan, 1][...]))
        XCTAssertNil(Metric.predictedClass([0, .infinity][...]))
        XCTAssertNil(Metric.predictedClass([-.infinity, 1][...]))
        XCTAssertNil(Metric.predictedClass([Float]()[...]))
        // A slice keeps its own indices; the class is counted from the slice's start.
        let rows: [Float] = [9, 0, 0, 1, 5, 5]
        XCTAssertEqual(Metric.predictedClass(rows[3..<6]), 1)
    }

    func testConstantLogitsScoreOnlyTheFirstClass() {
        let constant = [[Float]](repeating: [2, 2, 2], count: 4)
        XCTAssertEqual(share(.accuracy, constant, [1, 2, 1, 2]), 0, "constant logits are not 100% right")
        XCTAssertEqual(share(.accuracy, constant, [0, 1, 2, 0]), 0.5, "argmax on ties is the first class")
        XCTAssertEqual(share(.topKAccuracy(2), constant, [0, 1, 2, 2]), 0.5, "ties broken by index: classes 0 and 1")
    }

    func testNaNAndInfiniteRowsCountWrong() {
        let scores: [[Float]] = [[.nan, .nan, .nan], [0, .nan, 5], [.infinity, 0, 0], [0, 1, -.infinity], [0, 1, 0]]
        let labels = [0, 2, 0, 1, 1]
        XCTAssertEqual(share(.accuracy, scores, labels), 0.2, "only the finite last row is right")
        XCTAssertEqual(share(.topKAccuracy(3), scores, labels), 0.2, "a non-finite row is wrong at any k")
    }

    func testTopKCountsTheTargetAmongTheKLargest() {
        let scores: [[Float]] = [[0.1, 0.5, 0.4], [0.1, 0.5, 0.4], [0.3, 0.3, 0.4]]
        XCTAssertEqual(share(.topKAccuracy(1), scores, [2, 1, 2]), 2.0 / 3)
        XCTAssertEqual(share(.topKAccuracy(2), scores, [2, 0, 1]), 1.0 / 3, "row 3: classes 2 then 0 then 1")
        XCTAssertTrue(Metric.ranksAmongTop(1, of: [0.3, 0.3, 0.4][...], k: 3))
        XCTAssertFalse(Metric.ranksAmongTop(3, of: [0.3, 0.3, 0.4][...], k: 3), "a label out of range is never right")
        // k = 1 is the argmax decision.
        let row: [Float] = [0.2, 0.9, 0.9, 0.1]
        for target in 0..<4 {
            XCTAssertEqual(Metric.ranksAmongTop(target, of: row[...], k: 1), Metric.predictedClass(row[...]) == target)
        }
    }

    func testOneHotTargetsAgreeWithLabels() {
        let predictions = Tensor(shape: [3, 2], scalars: [1, 1, 0, 2, .nan, 0])
        let oneHot = Tensor(shape: [3, 2], scalars: [1, 0, 1, 0, 1, 0])
        let labels = Tensor([0, 0, 0])
        XCTAssertEqual(Metric.accuracy.measure(predictions: predictions, targets: oneHot).total, 1)
        XCTAssertEqual(Metric.accuracy.measure(predictions: predictions, targets: labels).total, 1)
    }
}
