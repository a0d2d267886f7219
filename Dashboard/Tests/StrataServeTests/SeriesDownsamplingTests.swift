import Foundation
import StrataTracking
import XCTest

/// `RunStore.series`'s SQL bucketing against a plain Swift reference over the same points.
final class SeriesDownsamplingTests: XCTestCase {
    /// The reference: bucket b of `maxPoints` holds the steps with (step - first) * maxPoints / span == b.
    static func referenceBuckets(_ points: [(step: Int, value: Double)], maxPoints: Int)
        -> [(x: Double, mean: Double, low: Double, high: Double)] {
        let first = points.map(\.step).min()!, span = points.map(\.step).max()! - first + 1
        let groups = Dictionary(grouping: points) { ($0.step - first) * maxPoints / span }
        return groups.keys.sorted().map { key in
            let values = groups[key]!.map(\.value)
            return (Double(groups[key]!.map(\.step).min()!), values.reduce(0, +) / Double(values.count), values.min()!, values.max()!)
        }
    }

    func testSQLBucketsMatchTheReference() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-series-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try RunStore(path: folder.appendingPathComponent("strata.sqlite").path)
        let run = try store.beginRun(NewRun(name: "r"))
        // Uneven steps (gaps, then dense), values from a fixed pseudo-random sequence.
        var state: UInt64 = 42
        let steps = Array(stride(from: 3, through: 900, by: 7)) + Array(901...2300)
        let points = steps.map { step -> (step: Int, value: Double) in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (step, Double(state >> 11) / Double(1 << 53) * 10 - 5)
        }
        try store.append(points.map { MetricPoint(name: "loss", step: $0.step, value: $0.value, isSummary: false) }, runID: run)
        for maxPoints in [1, 7, 100, 1000] {
            let series = try store.series(runID: run, name: "loss", maxPoints: maxPoints)
            let reference = Self.referenceBuckets(points, maxPoints: maxPoints)
            XCTAssertTrue(series.downsampled)
            XCTAssertEqual(series.pointCount, points.count)
            XCTAssertEqual(series.lastStep, 2300)
            XCTAssertLessThanOrEqual(series.x.count, maxPoints)
            XCTAssertEqual(series.x, reference.map(\.x), "max \(maxPoints)")
            XCTAssertEqual(series.ymin, reference.map(\.low), "max \(maxPoints)")
            XCTAssertEqual(series.ymax, reference.map(\.high), "max \(maxPoints)")
            for (value, expected) in zip(series.y, reference.map(\.mean)) { XCTAssertEqual(value, expected, accuracy: 1e-9) }
        }
        let after = try store.series(runID: run, name: "loss", after: 2000, maxPoints: 50)
        XCTAssertEqual(after.pointCount, 300)
        XCTAssertEqual(after.x.first, 2001)
        XCTAssertEqual(after.ymax, Self.referenceBuckets(points.filter { $0.step > 2000 }, maxPoints: 50).map(\.high))
        let raw = try store.series(runID: run, name: "loss", maxPoints: 0)
        XCTAssertFalse(raw.downsampled)
        XCTAssertEqual(raw.y, points.map(\.value))
        XCTAssertEqual(raw.x, points.map { Double($0.step) })
        let absent = try store.series(runID: run, name: "nothing")
        XCTAssertEqual(absent.pointCount, 0)
        XCTAssertNil(absent.lastStep)
    }
}
