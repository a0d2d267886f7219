import Foundation
import StrataPlot
import XCTest

/// Writes one PNG (and SVG) of every sample chart into `STRATA_PLOT_EXAMPLES` when that
/// variable names a folder, so a person can look at them; otherwise into a temporary folder
/// that is removed afterwards.
final class ExampleRenderingTests: XCTestCase {
    func testRenderExamples() throws {
        let requested = ProcessInfo.processInfo.environment["STRATA_PLOT_EXAMPLES"]
        let folder = try requested ?? OutputChecks.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if requested == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let charts: [(String, any Chart)] = [
            ("accuracy", SampleCharts.accuracy()), ("loss-log", SampleCharts.logLoss()),
            ("batch-sizes", SampleCharts.batchSizes()), ("class-counts", SampleCharts.classCounts()),
            ("scores", SampleCharts.scores()), ("confusion", SampleCharts.confusion()),
            ("images", SampleCharts.images()),
        ]
        for (name, chart) in charts {
            for ext in ["png", "svg"] {
                let path = (folder as NSString).appendingPathComponent("\(name).\(ext)")
                try chart.save(to: path)
                XCTAssertTrue(FileManager.default.fileExists(atPath: path), path)
            }
        }
    }
}
