import StrataPlot
import XCTest

final class ImageGridTests: XCTestCase {
    func testMisclassifiedGridFilesAndLayout() throws {
        let grid = SampleCharts.images()
        let (layout, _) = try OutputChecks.renderAll(grid, name: "images")
        XCTAssertEqual(layout.images.count, 16)
        XCTAssertEqual(layout.captions.count, 16)
        XCTAssertEqual(layout.captions[0], "true 0 / pred 1")
        XCTAssertEqual(layout.title, "Misclassified test images")
        // 28×28 images enlarged 3× in a grid of 8 columns and 2 rows.
        XCTAssertEqual(layout.images[0].width, 84)
        XCTAssertEqual(layout.images[0].height, 84)
        XCTAssertEqual(layout.images[0].y, layout.images[7].y)
        XCTAssertLessThan(layout.images[7].y, layout.images[8].y)
        XCTAssertGreaterThan(layout.images[1].x - layout.images[0].x, 84, "captions widen the cells")
    }

    func testFloatImagesAndExplicitScale() throws {
        var grid = ImageGrid(columns: 3)
        grid.scale = 2
        let pixels: [Float] = (0..<100).map { Float($0) / 99 }
        for _ in 0..<4 { grid.add(image: pixels, width: 10, height: 10) }
        XCTAssertEqual(grid.cells[0].pixels.first, 0)
        XCTAssertEqual(grid.cells[0].pixels.last, 255)
        let layout = try grid.layout()
        XCTAssertEqual(layout.images.count, 4)
        XCTAssertEqual(layout.images[0].width, 20)
        XCTAssertEqual(layout.captions, [])
        XCTAssertEqual(layout.images[3].x, layout.images[0].x, "fourth image starts the second row")
        let png = try grid.render(as: .png)
        let size = try XCTUnwrap(OutputChecks.pngSize(png))
        XCTAssertEqual(size.width, grid.canvasSize.width)
        XCTAssertEqual(size.height, grid.canvasSize.height)
    }
}
