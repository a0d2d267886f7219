import XCTest
@testable import StrataRetrieval

final class OpenSetMetricsTests: XCTestCase {
    /// Known probes A (correct, 0.9), B (correct, 0.7), C (wrong, 0.6), D (correct, 0.4); strangers
    /// 0.8, 0.5, 0.4, 0.3, 0.2.
    let metrics = OpenSetMetrics(known: [.init(isCorrect: true, similarity: 0.9), .init(isCorrect: true, similarity: 0.7),
                                         .init(isCorrect: false, similarity: 0.6), .init(isCorrect: true, similarity: 0.4)],
                                 unknownSimilarities: [0.8, 0.5, 0.4, 0.3, 0.2])

    func testRatesAtAThreshold() {
        XCTAssertEqual(metrics.rankOneAccuracy, 0.75)
        // At 0.5: the stranger at 0.8 is a false alarm; D (0.4) is rejected; A and B are identified.
        XCTAssertEqual(metrics.operatingPoint(threshold: 0.5),
                       OpenSetOperatingPoint(threshold: 0.5, falseAlarmRate: 0.2, detectionAndIdentificationRate: 0.5,
                                             falseRejectionRate: 0.25))
        // At 0.4 the stranger and D tied with the threshold are both rejected.
        XCTAssertEqual(metrics.falseAlarmRate(threshold: 0.4), 0.4)
        XCTAssertEqual(metrics.falseRejectionRate(threshold: 0.4), 0.25)
        XCTAssertEqual(metrics.detectionAndIdentificationRate(threshold: 0.4), 0.5)
    }

    /// m = ⌊FAR · 5⌋ false alarms allowed: the threshold is the (m+1)-th highest stranger score.
    func testThresholdAndDIRAtAFalseAlarmRate() {
        XCTAssertEqual(metrics.threshold(atFalseAlarmRate: 0), 0.8)
        XCTAssertEqual(metrics.threshold(atFalseAlarmRate: 0.1), 0.8)
        XCTAssertEqual(metrics.threshold(atFalseAlarmRate: 0.2), 0.5)
        XCTAssertEqual(metrics.threshold(atFalseAlarmRate: 0.5), 0.4)
        XCTAssertEqual(metrics.threshold(atFalseAlarmRate: 1), -.infinity)
        XCTAssertEqual(metrics.operatingPoint(atFalseAlarmRate: 0).detectionAndIdentificationRate, 0.25)
        XCTAssertEqual(metrics.operatingPoint(atFalseAlarmRate: 0.5).falseAlarmRate, 0.4)
        XCTAssertEqual(metrics.operatingPoint(atFalseAlarmRate: 1).detectionAndIdentificationRate, 0.75)
        // Two strangers tied at 0.5: one false alarm allowed, but accepting either means accepting both.
        let tied = OpenSetMetrics(known: [.init(isCorrect: true, similarity: 0.6)], unknownSimilarities: [0.5, 0.5, 0.1])
        XCTAssertEqual(tied.threshold(atFalseAlarmRate: 1.0 / 3), 0.5)
        XCTAssertEqual(tied.operatingPoint(atFalseAlarmRate: 1.0 / 3).falseAlarmRate, 0)
    }

    /// Pairs won by the known probe out of 20: A 5, B 4, C 4, D 2 + ½ (tie at 0.4) = 15.5.
    func testAUROCCountsTiesAsHalf() {
        XCTAssertEqual(metrics.auroc, 15.5 / 20, accuracy: 1e-12)
        XCTAssertEqual(OpenSetMetrics(known: [.init(isCorrect: true, similarity: 0.5)], unknownSimilarities: [0.5]).auroc, 0.5)
    }

    func testCurveAndEqualErrorPoint() {
        let curve = metrics.curve()
        XCTAssertEqual(curve.map(\.threshold), [-.infinity, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        XCTAssertEqual(curve.map(\.falseAlarmRate), [1, 0.8, 0.6, 0.4, 0.2, 0.2, 0.2, 0, 0])
        XCTAssertEqual(curve.map(\.detectionAndIdentificationRate), [0.75, 0.75, 0.75, 0.5, 0.5, 0.5, 0.25, 0.25, 0])
        XCTAssertEqual(curve.map(\.falseRejectionRate), [0, 0, 0, 0.25, 0.25, 0.5, 0.75, 0.75, 1])
        XCTAssertEqual(curve.map(\.missRate), [0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 1])
        // |FAR − FRR| is smallest (0.05) at 0.5.
        XCTAssertEqual(metrics.equalErrorPoint().threshold, 0.5)
    }

    func testMeasuresFromMatches() {
        func match(_ best: String, _ similarity: Float) -> Match {
            Match(label: nil, bestLabel: best, similarity: similarity, item: nil, cluster: nil, clusterMembers: [], neighbours: [])
        }
        let fromMatches = OpenSetMetrics(known: [(match("ann", 0.9), "ann"), (match("bob", 0.7), "cid")],
                                         unknown: [match("ann", 0.3)])
        XCTAssertEqual(fromMatches.known, [.init(isCorrect: true, similarity: 0.9), .init(isCorrect: false, similarity: 0.7)])
        XCTAssertEqual(fromMatches.unknownSimilarities, [0.3])
        XCTAssertEqual(fromMatches.rankOneAccuracy, 0.5)
        XCTAssertTrue(OpenSetMetrics(known: [], unknownSimilarities: []).rankOneAccuracy.isNaN)
    }
}
