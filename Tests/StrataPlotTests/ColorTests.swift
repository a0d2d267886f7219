import StrataPlot
import XCTest

final class ColorTests: XCTestCase {
    func testHexAndPaletteCycling() {
        let blue = Color(hex: 0x1f77b4)
        XCTAssertEqual(blue.red, 31.0 / 255, accuracy: 1e-12)
        XCTAssertEqual(Palette.tab10[0], blue)
        XCTAssertEqual(Palette.tab10[10], blue, "indices wrap around")
        XCTAssertEqual(Palette.tab10.colors.count, 10)
        XCTAssertEqual(Set(Palette.tab10.colors).count, 10, "ten distinct colours")
    }

    func testColormapEndsAndMiddle() {
        XCTAssertEqual(Colormap.grays.color(at: 0), .white)
        XCTAssertEqual(Colormap.grays.color(at: 1), .black)
        XCTAssertEqual(Colormap.grays.color(at: 0.5).red, 0.5, accuracy: 1e-12)
        XCTAssertEqual(Colormap.grays.color(at: 7), .black, "clamped")
        XCTAssertEqual(Colormap.viridis.color(at: 0), Color(hex: 0x440154))
        XCTAssertEqual(Colormap.viridis.reversed.color(at: 0), Color(hex: 0xfde725))
    }

    func testLuminanceOrdersLightAndDark() {
        XCTAssertEqual(Color.white.luminance, 1, accuracy: 1e-9)
        XCTAssertEqual(Color.black.luminance, 0, accuracy: 1e-9)
        XCTAssertEqual(Color(hex: 0xffff00).contrastingText, .text, "yellow takes dark text")
        XCTAssertEqual(Color(hex: 0x08306b).contrastingText, .white, "navy takes white text")
    }
}
