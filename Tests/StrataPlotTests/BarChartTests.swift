import StrataPlot
import XCTest

final class BarChartTests: XCTestCase {
    func testClassCountsFilesAndLayout() throws {
        let chart = SampleCharts.classCounts()
        let (layout, svg) = try OutputChecks.renderAll(chart, name: "counts")
        XCTAssertEqual(layout.bars.count, 10)
        XCTAssertEqual(svg.paths(filledWith: Palette.tab10[0]), 10, "one filled path per bar")
        XCTAssertEqual(layout.valueLabels, ["6,000", "5,963", "5,926", "5,889", "6,000",
                                            "5,963", "5,926", "5,889", "6,000", "5,963"])
        XCTAssertEqual(layout.xTicks, SampleCharts.fashionClasses)
        XCTAssertEqual(layout.yTicks.first, "0", "bars start at zero")
        // Bars are equally wide, do not overlap, and are taller for larger values.
        let widths = Set(layout.bars.map { $0.width.rounded() })
        XCTAssertLessThanOrEqual(widths.count, 2, "equal widths up to pixel rounding")
        for (a, b) in zip(layout.bars, layout.bars.dropFirst()) { XCTAssertLessThan(a.maxX, b.x) }
        XCTAssertGreaterThan(layout.bars[0].height, layout.bars[3].height)
        // The long name is wrapped at the slash or rotated, never dropped.
        XCTAssertTrue(layout.texts.contains("T-shirt/") || layout.texts.contains("T-shirt/top"))
    }

    func testNarrowSlotsWrapOrRotateLabels() throws {
        var chart = BarChart(title: "Narrow", width: 420, height: 360)
        for name in SampleCharts.fashionClasses { chart.add(bar: name, value: 10) }
        let layout = try chart.layout()
        XCTAssertEqual(layout.xTicks, SampleCharts.fashionClasses)
        // Every class name is drawn, whole or as pieces that join back into it.
        let joined = layout.texts.joined(separator: "|")
        for name in SampleCharts.fashionClasses {
            let pieces = name.split(separator: " ").joined(separator: "|")
            XCTAssertTrue(joined.contains(name) || joined.contains(pieces)
                          || joined.contains(name.replacingOccurrences(of: "/", with: "/|")), name)
        }
        let plot = try XCTUnwrap(layout.plotArea)
        XCTAssertGreaterThan(plot.height, 150, "labels leave room for the bars")
    }

    func testNegativeAndFractionalValues() throws {
        var chart = BarChart(yLabel: "change")
        chart.add(bar: "a", value: 0.25)
        chart.add(bar: "b", value: -0.125)
        chart.add(bar: "c", value: 0.5, color: Color(hex: 0x2ca02c))
        let layout = try chart.layout()
        XCTAssertEqual(layout.valueLabels, ["0.250", "-0.125", "0.500"])
        let zeroLine = layout.bars[0].maxY
        XCTAssertEqual(layout.bars[1].y, zeroLine, accuracy: 1, "negative bars hang from zero")
        XCTAssertEqual(try chart.render(as: .svg).isEmpty, false)
    }

    func testValueFormatAndHiddenValues() throws {
        var chart = BarChart(categories: ["x", "y"], values: [97.5, 88.25])
        chart.valueFormat = "%.1f%%"
        XCTAssertEqual(try chart.layout().valueLabels, ["97.5%", "88.2%"])
        chart.showsValues = false
        XCTAssertEqual(try chart.layout().valueLabels, [])
        XCTAssertEqual(try chart.layout().bars.count, 2)
    }
}
