import StrataPlot
import XCTest

final class HeatmapTests: XCTestCase {
    func testConfusionMatrixFilesAndLayout() throws {
        let chart = SampleCharts.confusion()
        let (layout, svg) = try OutputChecks.renderAll(chart, name: "confusion")
        XCTAssertEqual(layout.cells.count, 100)
        XCTAssertEqual(layout.valueLabels.count, 100)
        XCTAssertEqual(layout.valueLabels[0], String(chart.values[0][0].rounded()).replacingOccurrences(of: ".0", with: ""))
        XCTAssertEqual(layout.xTicks, SampleCharts.fashionClasses)
        XCTAssertEqual(layout.yTicks, SampleCharts.fashionClasses, "row 0 at the top")
        XCTAssertTrue(layout.texts.contains("true"))
        XCTAssertTrue(layout.texts.contains("predicted"))
        XCTAssertFalse(layout.colorBarTicks.isEmpty)
        XCTAssertEqual(layout.colorBarTicks.first, "0")
        // Square cells, row-major, top to bottom.
        for cell in layout.cells { XCTAssertEqual(cell.width, cell.height, accuracy: 1) }
        XCTAssertLessThan(layout.cells[0].y, layout.cells[10].y)
        XCTAssertLessThan(layout.cells[0].x, layout.cells[1].x)
        // The darkest cell is the diagonal maximum, filled with the top of the colormap.
        XCTAssertGreaterThanOrEqual(svg.paths(filledWith: Colormap.blues.color(at: 1)), 1)
    }

    func testTextColourReadsOnDarkAndLightCells() {
        XCTAssertEqual(Colormap.blues.color(at: 1).contrastingText, .white)
        XCTAssertEqual(Colormap.blues.color(at: 0).contrastingText, .text)
        XCTAssertEqual(Colormap.viridis.color(at: 0).contrastingText, .white)
        XCTAssertEqual(Colormap.viridis.color(at: 1).contrastingText, .text)
    }

    func testFractionsNaNAndDefaultLabels() throws {
        var chart = Heatmap(values: [[0.1, 0.9], [.nan, 0.5]], title: "Fractions")
        chart.colormap = .viridis
        let layout = try chart.layout()
        XCTAssertEqual(layout.cells.count, 4)
        XCTAssertEqual(layout.valueLabels, ["0.100", "0.900", "0.500"], "NaN cells stay blank")
        XCTAssertEqual(layout.xTicks, ["0", "1"])
        chart.showsValues = false
        chart.showsColorBar = false
        let bare = try chart.layout()
        XCTAssertEqual(bare.valueLabels, [])
        XCTAssertEqual(bare.colorBarTicks, [])
    }

    func testTinyCellsDropTheNumbersInsteadOfOverflowing() throws {
        let counts = (0..<60).map { r in (0..<60).map { c in r == c ? 12_345 : c } }
        let layout = try Heatmap(counts: counts).layout()
        XCTAssertEqual(layout.cells.count, 3600)
        XCTAssertEqual(layout.valueLabels, [], "no room for five digits in a ~9-pixel cell")
    }
}
