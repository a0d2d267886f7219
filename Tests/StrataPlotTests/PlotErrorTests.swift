import Foundation
import StrataPlot
import XCTest

final class PlotErrorTests: XCTestCase {
    /// Runs `body`, expects a `PlotError`, and returns its message.
    private func message(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            try body()
            XCTFail("no error thrown", file: file, line: line)
        } catch let error as PlotError {
            XCTAssertEqual(error.localizedDescription, error.description, file: file, line: line)
            return error.description
        } catch {
            XCTFail("not a PlotError: \(error)", file: file, line: line)
        }
        return ""
    }

    private var chart: LineChart {
        var chart = LineChart(title: "Accuracy")
        chart.add(series: "train", y: [0.9, 0.95])
        return chart
    }

    func testMissingFolder() {
        let text = message { try chart.save(to: "/no/such/folder/accuracy.png") }
        XCTAssertEqual(text, "cannot write chart to '/no/such/folder/accuracy.png': folder '/no/such/folder' does not exist")
    }

    func testPathIsAFolderOrUnderAFile() throws {
        let folder = try OutputChecks.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let taken = folder + "/taken.png"
        try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: false)
        XCTAssertTrue(message { try chart.save(to: taken) }.contains("a folder with that name exists"))
        let file = folder + "/plain.txt"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data([1])))
        XCTAssertTrue(message { try chart.save(to: file + "/x.svg") }.contains("is not a folder"))
    }

    func testUnwritableFile() throws {
        let folder = try OutputChecks.temporaryFolder()
        defer {
            chmod(folder, 0o755)
            try? FileManager.default.removeItem(atPath: folder)
        }
        chmod(folder, 0o555)
        var path = folder + "/a.png"
        if access(folder, W_OK) == 0 {
            // Root ignores permission bits; sysfs refuses new files even to root (Linux always mounts it).
            path = "/sys/strata-plot-test.png"
            XCTAssertTrue(FileManager.default.fileExists(atPath: "/sys"), "no /sys to test root with")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        }
        let text = message { try chart.save(to: path) }
        XCTAssertTrue(text.hasPrefix("cannot write chart to '\(path)': "), text)
        XCTAssertTrue(text.contains("Permission denied") || text.contains("Read-only file system"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testUnknownExtension() {
        XCTAssertEqual(message { try chart.save(to: "accuracy.jpg") },
                       "cannot save chart to 'accuracy.jpg': unknown extension '.jpg'; use .png, .svg or .pdf")
        XCTAssertEqual(message { try chart.save(to: "accuracy") },
                       "cannot save chart to 'accuracy': no extension; use .png, .svg or .pdf")
        XCTAssertEqual(try OutputFormat(path: "A.SVG"), .svg, "extensions are case-insensitive")
    }

    func testExplicitFormatOverridesTheExtension() throws {
        let folder = try OutputChecks.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try chart.save(to: folder + "/curve.out", format: .png)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/curve.out")))
        XCTAssertNotNil(OutputChecks.pngSize(bytes))
    }

    func testMismatchedLengthsNameTheSeries() {
        var chart = LineChart(title: "Loss")
        chart.add(series: "train", x: [1, 2, 3], y: [0.5, 0.4])
        XCTAssertEqual(message { _ = try chart.layout() }, "LineChart series 'train': x has 3 values but y has 2")

        let bars = BarChart(title: "Counts", categories: ["a", "b", "c"], values: [1, 2])
        XCTAssertEqual(message { _ = try bars.layout() }, "BarChart 'Counts': 3 categories but 2 values")

        var strips = StripChart()
        XCTAssertEqual(message { try strips.add(values: [1, 2], groups: [0]) }, "StripChart: 2 values but 1 groups")
    }

    func testEmptyChartsSayWhatToAdd() {
        XCTAssertEqual(message { _ = try LineChart(title: "Accuracy").layout() },
                       "LineChart 'Accuracy' has nothing to draw: add a line with add(series:x:y:) before saving")
        XCTAssertTrue(message { _ = try BarChart().layout() }.hasPrefix("BarChart has nothing to draw"))
        XCTAssertTrue(message { _ = try StripChart().layout() }.hasPrefix("StripChart has nothing to draw"))
        XCTAssertTrue(message { _ = try Heatmap(values: []).layout() }.hasPrefix("Heatmap has nothing to draw"))
        XCTAssertTrue(message { _ = try ImageGrid(title: "Samples").layout() }
            .hasPrefix("ImageGrid 'Samples' has nothing to draw"))
        var empty = LineChart()
        empty.add(series: "val", y: [Double]())
        XCTAssertEqual(message { _ = try empty.layout() }, "LineChart series 'val' is empty")
    }

    func testBadValues() {
        var log = LineChart(yScale: .log)
        log.add(series: "loss", y: [1, 0.5, 0])
        XCTAssertEqual(message { _ = try log.layout() },
                       "LineChart series 'loss': y[2] = 0.0 cannot be shown on a log axis (needs > 0)")

        var bars = BarChart()
        bars.add(bar: "a", value: .nan)
        XCTAssertEqual(message { _ = try bars.layout() }, "BarChart bar 'a': value nan is not finite")

        let ragged = Heatmap(values: [[1, 2], [3]])
        XCTAssertEqual(message { _ = try ragged.layout() }, "Heatmap values: row 1 has 1 values but row 0 has 2")
        let labels = Heatmap(values: [[1, 2]], rowLabels: ["a", "b"])
        XCTAssertEqual(message { _ = try labels.layout() }, "Heatmap rowLabels: 2 labels for 1 rows")
        let blank = Heatmap(values: [[.nan]])
        XCTAssertEqual(message { _ = try blank.layout() }, "Heatmap values: no finite value to colour")

        var grid = ImageGrid()
        grid.add(image: [UInt8](repeating: 0, count: 780), width: 28, height: 28, caption: "true 7 / pred 1")
        XCTAssertEqual(message { _ = try grid.layout() },
                       "ImageGrid image 0 ('true 7 / pred 1'): 780 pixels but width × height = 28×28 = 784")
    }

    func testNothingIsWrittenWhenDrawingFails() throws {
        let folder = try OutputChecks.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/empty.png"
        _ = message { try LineChart().save(to: path) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        // Vector surfaces still flush into memory when drawing throws; that must be safe.
        for format in OutputFormat.allCases {
            XCTAssertTrue(message { _ = try BarChart().render(as: format) }.hasPrefix("BarChart has nothing"))
        }
    }

    func testAbsurdSizeIsAnErrorNotACrash() {
        var chart = self.chart
        chart.width = 0
        XCTAssertEqual(message { _ = try chart.render(as: .png) },
                       "canvas size: 0×500 is outside 1…32767 pixels")
    }
}
