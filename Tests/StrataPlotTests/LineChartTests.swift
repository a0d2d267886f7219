import Foundation
import StrataPlot
import XCTest

final class LineChartTests: XCTestCase {
    func testAccuracyChartFilesAndLayout() throws {
        let chart = SampleCharts.accuracy()
        let (layout, svg) = try OutputChecks.renderAll(chart, name: "accuracy")
        XCTAssertEqual(layout.width, 800)
        XCTAssertEqual(layout.height, 500)
        XCTAssertEqual(layout.title, "Accuracy")
        XCTAssertEqual(layout.series, ["train", "validation"])
        XCTAssertEqual(layout.legend, ["train", "validation"])
        XCTAssertEqual(layout.points, 24, "12 markers per series")
        XCTAssertEqual(layout.xTicks, ["2", "4", "6", "8", "10", "12"], "whole epochs only")
        XCTAssertTrue(layout.texts.contains("epoch"))
        XCTAssertTrue(layout.texts.contains("accuracy"))
        // Every y tick label has the same number of decimals.
        XCTAssertGreaterThanOrEqual(layout.yTicks.count, 3)
        XCTAssertEqual(Set(layout.yTicks.map { $0.split(separator: ".").last?.count ?? 0 }).count, 1)
        // The square markers of the validation series are filled paths in its colour.
        XCTAssertGreaterThanOrEqual(svg.paths(filledWith: Palette.tab10[1]), 12)
    }

    func testLogAxisTicksArePowersOfTen() throws {
        let layout = try OutputChecks.renderAll(SampleCharts.logLoss(), name: "loss").layout
        XCTAssertEqual(layout.yTicks, ["0.01", "0.1", "1"])
        XCTAssertEqual(layout.series.count, 2)
        XCTAssertEqual(layout.points, 0, "no markers asked for")
    }

    func testOverlaidSeriesGetDistinctPaletteColours() throws {
        let (layout, svg) = try OutputChecks.renderAll(SampleCharts.batchSizes(), name: "batches")
        XCTAssertEqual(layout.series, ["batch 16", "batch 32", "batch 64", "batch 128", "batch 256"])
        XCTAssertEqual(layout.legend.count, 5)
        XCTAssertEqual(svg.counts["path", default: 0] > 5, true)
    }

    func testReadmeExample() throws {
        let folder = try OutputChecks.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var chart = LineChart(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy")
        chart.add(series: "train", x: [1, 2, 3], y: [0.9, 0.95, 0.97])
        chart.add(series: "validation", x: [1, 2, 3], y: [0.88, 0.93, 0.95])
        try chart.save(to: folder + "/accuracy.png")
        try chart.save(to: folder + "/accuracy.svg")
        try chart.save(to: folder + "/accuracy.pdf")
        XCTAssertEqual(try chart.layout().xTicks, ["1", "2", "3"])
    }

    func testSinglePointGetsAMarkerAndWholeNumberTicks() throws {
        var chart = LineChart(title: "One epoch")
        chart.add(series: "train", y: [0.5])
        let layout = try chart.layout()
        XCTAssertEqual(layout.points, 1, "a lone point is drawn as a marker")
        XCTAssertEqual(layout.xTicks, ["0", "1", "2"])
    }

    func testScatterSeriesOnALogTimeAxis() throws {
        var chart = LineChart(title: "Accuracy against time")
        chart.xScale = .log
        chart.add(series: "runs", x: [12, 150, 2_400], y: [97.1, 99.1, 99.6], style: .none)
        chart.add(series: "front", x: [12, 150, 2_400], y: [97.1, 99.1, 99.6], style: .dashed)
        let (layout, svg) = try OutputChecks.renderAll(chart, name: "scatter")
        XCTAssertEqual(layout.points, 3, "markers for the scatter series only")
        XCTAssertEqual(layout.xTicks, ["10", "100", "1000"])
        XCTAssertEqual(layout.legend, ["runs", "front"])
        // No line in the scatter series' colour: its points are filled discs only.
        XCTAssertEqual(svg.paths(strokedWith: Palette.tab10[0]), 0)
        XCTAssertGreaterThanOrEqual(svg.paths(strokedWith: Palette.tab10[1]), 1, "the dashed series is a line")
        XCTAssertGreaterThanOrEqual(svg.paths(filledWith: Palette.tab10[0]), 3)

        chart.add(series: "bad", x: [0], y: [1], style: .none)
        XCTAssertThrowsError(try chart.layout()) { error in
            XCTAssertTrue("\(error)".contains("x[0] = 0.0 cannot be shown on a log axis"), "\(error)")
        }
    }

    func testFloatSeriesAndImplicitEpochs() throws {
        var chart = LineChart(title: "Loss")
        chart.add(series: "train", y: [Float(2.3), 1.2, 0.8, 0.6])
        XCTAssertEqual(chart.series[0].x, [1, 2, 3, 4])
        XCTAssertEqual(try chart.layout().xTicks, ["1", "2", "3", "4"])
    }

    func testNonFiniteValuesLeaveAGapInsteadOfFailing() throws {
        var chart = LineChart()
        chart.add(series: "loss", y: [1, 0.5, .nan, .infinity, 0.2, 0.1], marker: .circle)
        let layout = try chart.layout()
        XCTAssertEqual(layout.points, 4, "only finite points get markers")

        var diverged = LineChart(yScale: .log)
        diverged.add(series: "loss", y: [.nan, .infinity, .nan], marker: .circle)
        let empty = try diverged.layout()
        XCTAssertEqual(empty.points, 0, "a series of gaps only gives empty axes, not an error")
        XCTAssertFalse(empty.yTicks.isEmpty)
    }

    func testFixedRangeAndHiddenLegend() throws {
        var chart = LineChart(yLabel: "accuracy")
        chart.yRange = 0...1
        chart.legendPosition = .hidden
        chart.add(series: "train", y: [0.5, 0.7, 0.9])
        let layout = try chart.layout()
        XCTAssertEqual(layout.yTicks, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(layout.legend, [])
    }

    func testLegendAvoidsTheData() throws {
        // A rising diagonal runs through the top-right corner (the first choice), so the legend
        // goes top-left; a falling diagonal leaves the top-right corner free.
        var rising = LineChart(width: 600, height: 400)
        rising.add(series: "accuracy", y: (0...30).map(Double.init))
        let up = try rising.layout()
        var falling = LineChart(width: 600, height: 400)
        falling.add(series: "loss", y: (0...30).map { 30 - Double($0) })
        let down = try falling.layout()
        XCTAssertEqual(up.legend, ["accuracy"])
        XCTAssertEqual(down.legend, ["loss"])
        let upBox = try XCTUnwrap(up.legendArea), upPlot = try XCTUnwrap(up.plotArea)
        XCTAssertLessThan(upBox.midY, upPlot.midY, "rising: legend at the top")
        XCTAssertLessThan(upBox.midX, upPlot.midX, "rising: legend on the left")
        let downBox = try XCTUnwrap(down.legendArea), downPlot = try XCTUnwrap(down.plotArea)
        XCTAssertLessThan(downBox.midY, downPlot.midY, "falling: legend at the top")
        XCTAssertGreaterThan(downBox.midX, downPlot.midX, "falling: legend on the right")
        // A fixed position is obeyed whatever the data.
        falling.legendPosition = .bottomLeft
        let fixed = try falling.layout()
        XCTAssertGreaterThan(try XCTUnwrap(fixed.legendArea).midY, downPlot.midY)
        XCTAssertLessThan(try XCTUnwrap(fixed.legendArea).midX, downPlot.midX)
    }

    /// Points drawn as markers only (a scatter, as in `strata plot --accuracy-vs-time`) count as data the
    /// legend avoids: they sat under a top-right legend before.
    func testLegendAvoidsMarkerOnlyPoints() throws {
        var chart = LineChart(width: 600, height: 400)
        for (name, x, y) in [("a", 1.0, 0.0), ("b", 9.0, 10.0), ("c", 10.0, 9.5), ("d", 8.5, 9.0)] {
            chart.add(series: name, x: [x], y: [y], style: .none, marker: .circle)
        }
        let layout = try chart.layout()
        let box = try XCTUnwrap(layout.legendArea), plot = try XCTUnwrap(layout.plotArea)
        XCTAssertLessThan(box.midX, plot.midX, "the points fill the top right: legend on the left")
        XCTAssertLessThan(box.midY, plot.midY, "and at the top, clear of the bottom-left point")
    }
}
