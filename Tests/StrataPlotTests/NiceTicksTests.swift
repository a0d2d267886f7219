import StrataPlot
import XCTest

final class NiceTicksTests: XCTestCase {
    /// Hand-computed: the smallest step in {1, 2, 2.5, 5} × 10^k with at most `maxCount` ticks inside.
    func testLinearTicksOnHandComputedRanges() {
        let unit = NiceTicks.linear(from: 0, to: 1, maxCount: 6)   // 0.1 → 11 ticks, 0.2 → 6
        XCTAssertEqual(unit.values, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(unit.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])

        let accuracy = NiceTicks.linear(from: 0.88, to: 0.97, maxCount: 6)   // 0.01 → 10, 0.02 → 5
        XCTAssertEqual(accuracy.labels, ["0.88", "0.90", "0.92", "0.94", "0.96"])

        let percent = NiceTicks.linear(from: 0, to: 100, maxCount: 5)   // 20 → 6, 25 → 5
        XCTAssertEqual(percent.values, [0, 25, 50, 75, 100])
        XCTAssertEqual(percent.labels, ["0", "25", "50", "75", "100"])

        let quarter = NiceTicks.linear(from: -3, to: 7, maxCount: 4)   // 2 → 5, 2.5 → 4 (-2.5 … 5)
        XCTAssertEqual(quarter.values, [-2.5, 0, 2.5, 5])
        XCTAssertEqual(quarter.labels, ["-2.5", "0.0", "2.5", "5.0"])

        let counts = NiceTicks.linear(from: 0, to: 6480, maxCount: 8)   // 500 → 13, 1000 → 7
        XCTAssertEqual(counts.labels, ["0", "1,000", "2,000", "3,000", "4,000", "5,000", "6,000"])

        let tiny = NiceTicks.linear(from: 0.00012, to: 0.00049, maxCount: 5)   // 1e-4 → 3 (2e-4 … 4e-4)
        XCTAssertEqual(tiny.labels, ["0.0002", "0.0003", "0.0004"])
    }

    func testTickValuesAreExactDecimals() {
        let ticks = NiceTicks.linear(from: 0, to: 0.7, maxCount: 8)
        XCTAssertEqual(ticks.values, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], "no 0.30000000000000004")
    }

    func testStepMantissas() {
        XCTAssertTrue(NiceTicks.step(from: 0, to: 1, maxCount: 6) == (2, -1))
        XCTAssertTrue(NiceTicks.step(from: 0, to: 100, maxCount: 5) == (2.5, 1))
        XCTAssertTrue(NiceTicks.step(from: 0, to: 7.3, maxCount: 6) == (2, 0))
        XCTAssertTrue(NiceTicks.step(from: 1, to: 3, maxCount: 10, integersOnly: true) == (1, 0),
                      "whole numbers never step by 0.5")
    }

    func testIntegerTicksForEpochs() {
        XCTAssertEqual(NiceTicks.linear(from: 0.5, to: 4.5, maxCount: 20, integersOnly: true).labels,
                       ["1", "2", "3", "4"])
        XCTAssertEqual(NiceTicks.linear(from: 0, to: 25, maxCount: 6, integersOnly: true).labels,
                       ["0", "5", "10", "15", "20", "25"])
    }

    func testLogTicks() {
        let loss = NiceTicks.log(from: 0.003, to: 2)
        XCTAssertEqual(loss.values, [0.01, 0.1, 1])
        XCTAssertEqual(loss.labels, ["0.01", "0.1", "1"])
        XCTAssertTrue(loss.minor.contains(0.005))
        XCTAssertTrue(loss.minor.contains(2))
        XCTAssertFalse(loss.minor.contains(0.1), "majors are not repeated as minors")

        XCTAssertEqual(NiceTicks.log(from: 0.2, to: 0.9).labels, ["0.2", "0.5"], "less than a decade: 2 and 5")
        XCTAssertEqual(NiceTicks.log(from: 1, to: 1e12, maxCount: 7).labels,
                       ["1", "100", "10000", "1e6", "1e8", "1e10", "1e12"], "thinned to every other decade")
        XCTAssertEqual(NiceTicks.log(from: 1e-7, to: 1e-5).labels, ["1e-7", "1e-6", "1e-5"])
    }

    func testDegenerateRanges() {
        XCTAssertEqual(NiceTicks.linear(from: 3, to: 3).values, [3])
        XCTAssertEqual(NiceTicks.linear(from: .nan, to: 1).values, [])
    }

    func testAxisFittingAndFractions() throws {
        let linear = try XCTUnwrap(Axis.fitting([0, 10]))
        XCTAssertEqual(linear.lower, -0.5, accuracy: 1e-12, "5% margin")
        XCTAssertEqual(linear.upper, 10.5, accuracy: 1e-12)
        XCTAssertEqual(linear.fraction(of: 5), 0.5, accuracy: 1e-12)
        XCTAssertTrue(linear.integerTicks)

        let log = try XCTUnwrap(Axis.fitting([0.01, 1, -4, .nan], scale: .log, margin: 0))
        XCTAssertEqual(log.lower, 0.01, accuracy: 1e-12, "non-positive and NaN values ignored")
        XCTAssertEqual(log.fraction(of: 0.1), 0.5, accuracy: 1e-12, "equal ratios, equal distances")
        XCTAssertNil(Axis.fitting([.nan, .infinity]))

        let flat = try XCTUnwrap(Axis.fitting([0.5, 0.5], margin: 0))
        XCTAssertEqual(flat.lower, 0.45, accuracy: 1e-12, "a constant gets ±10% room")

        let zero = try XCTUnwrap(Axis.fitting([3, 8], includeZero: true))
        XCTAssertEqual(zero.lower, 0, "bars start exactly at zero")

        let rows = Axis(categories: ["a", "b", "c"], reversed: true)
        XCTAssertEqual(rows.fraction(of: 0), 5 / 6, accuracy: 1e-12, "first row at the far end")
        XCTAssertEqual(rows.ticks(maxCount: 2).labels, ["a", "b", "c"], "every category is labelled")
    }
}
