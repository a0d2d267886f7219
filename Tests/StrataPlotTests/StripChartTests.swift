import StrataPlot
import XCTest

final class StripChartTests: XCTestCase {
    func testScoresFilesAndLayout() throws {
        let (layout, svg) = try OutputChecks.renderAll(SampleCharts.scores(), name: "scores")
        XCTAssertEqual(layout.series, (0..<10).map(String.init))
        XCTAssertEqual(layout.xTicks, (0..<10).map(String.init))
        XCTAssertEqual(layout.points, 3000)
        // Each digit's dots are filled paths in that digit's palette colour.
        for digit in [0, 4, 9] {
            XCTAssertEqual(svg.paths(filledWith: Palette.tab10[digit]), 300, "digit \(digit)")
        }
    }

    func testGroupingByLabelSortsGroups() throws {
        var chart = StripChart(title: "Scores")
        try chart.add(values: [0.1, 0.9, 0.2, 0.8, 0.5], groups: [3, 1, 3, 1, 2])
        XCTAssertEqual(chart.categories.map(\.name), ["1", "2", "3"])
        XCTAssertEqual(chart.categories.map(\.values), [[0.9, 0.8], [0.5], [0.1, 0.2]])
        XCTAssertEqual(try chart.layout().points, 5)
    }

    func testSameSeedSameDrawing() throws {
        var chart = StripChart()
        chart.add(category: "a", values: (0..<50).map { Double($0) })
        let first = try chart.render(as: .png)
        XCTAssertTrue(first == (try chart.render(as: .png)), "the jitter is seeded")
        chart.seed = 7
        XCTAssertFalse(first == (try chart.render(as: .png)), "another seed moves the dots")
    }
}
