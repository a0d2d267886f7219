import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StrataPlot
import XCTest

/// File-level checks on rendered charts: PNG header, SVG structure, PDF envelope.
enum OutputChecks {
    /// Width and height from a PNG's IHDR chunk, or nil when the bytes are not a PNG.
    static func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 24, Array(bytes[0..<8]) == signature,
              Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        func bigEndian(_ i: Int) -> Int { bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (bigEndian(16), bigEndian(20))
    }

    /// What an SVG document holds, as far as the tests care.
    struct SVG {
        var rootName = ""
        var rootAttributes: [String: String] = [:]
        /// Number of elements per tag name.
        var counts: [String: Int] = [:]
        /// Number of `<use>` elements that place a text glyph (cairo writes one per character).
        var glyphs = 0
        /// Fill colours (0…1 components) of `<path>` elements drawn outside `<defs>`.
        var pathFills: [Color] = []
        /// Stroke colours of `<path>` elements drawn outside `<defs>`.
        var pathStrokes: [Color] = []

        /// Number of `<path>` elements filled with `color` (within rounding).
        func paths(filledWith color: Color) -> Int {
            pathFills.filter {
                abs($0.red - color.red) < 0.002 && abs($0.green - color.green) < 0.002 && abs($0.blue - color.blue) < 0.002
            }.count
        }

        /// Number of `<path>` elements stroked with `color` (within rounding).
        func paths(strokedWith color: Color) -> Int {
            pathStrokes.filter {
                abs($0.red - color.red) < 0.002 && abs($0.green - color.green) < 0.002 && abs($0.blue - color.blue) < 0.002
            }.count
        }
    }

    /// Parses SVG bytes with Foundation's XMLParser; nil when they are not well-formed XML.
    static func parseSVG(_ bytes: [UInt8]) -> SVG? {
        let delegate = SVGDelegate()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        return delegate.svg
    }

    private final class SVGDelegate: NSObject, XMLParserDelegate {
        var svg = SVG()
        private var defsDepth = 0

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            if svg.rootName.isEmpty {
                svg.rootName = name
                svg.rootAttributes = attributes
            }
            svg.counts[name, default: 0] += 1
            if name == "defs" { defsDepth += 1 }
            if name == "use", attributes["xlink:href"]?.hasPrefix("#glyph") == true { svg.glyphs += 1 }
            if name == "path", defsDepth == 0, let style = attributes["style"], let fill = Self.fill(in: style) {
                svg.pathFills.append(fill)
            }
            if name == "path", defsDepth == 0, let style = attributes["style"], let stroke = Self.color(after: "stroke:rgb(", in: style) {
                svg.pathStrokes.append(stroke)
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "defs" { defsDepth -= 1 }
        }

        /// The colour in `fill:rgb(a%,b%,c%)`, as cairo writes it.
        static func fill(in style: String) -> Color? { color(after: "fill:rgb(", in: style) }

        /// The colour in `<prefix>a%,b%,c%)` within `style`.
        static func color(after prefix: String, in style: String) -> Color? {
            guard let start = style.range(of: prefix) else { return nil }
            let rest = style[start.upperBound...]
            guard let end = rest.firstIndex(of: ")") else { return nil }
            let parts = rest[..<end].split(separator: ",").compactMap { Double($0.dropLast()) }
            guard parts.count == 3 else { return nil }
            return Color(red: parts[0] / 100, green: parts[1] / 100, blue: parts[2] / 100)
        }
    }

    /// A fresh empty folder under the system's temporary folder.
    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-plot-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Saves `chart` as PNG, SVG and PDF in a temporary folder and checks each file: PNG size,
    /// well-formed SVG of the right size with one glyph per drawn character, PDF envelope.
    /// Returns the layout and the parsed SVG for chart-specific checks.
    static func renderAll(_ chart: some Chart, name: String, file: StaticString = #filePath,
                          line: UInt = #line) throws -> (layout: ChartLayout, svg: SVG) {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (width, height) = chart.canvasSize
        let pngPath = folder + "/\(name).png"
        let layout = try chart.save(to: pngPath)
        let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pngPath)))
        let size = pngSize(png)
        XCTAssertNotNil(size, "\(name).png has no PNG signature/IHDR", file: file, line: line)
        XCTAssertEqual(size?.width, width, "\(name).png width", file: file, line: line)
        XCTAssertEqual(size?.height, height, "\(name).png height", file: file, line: line)

        let svgPath = folder + "/\(name).svg"
        let svgLayout = try chart.save(to: svgPath)
        XCTAssertEqual(svgLayout, layout, "PNG and SVG come from the same drawing code", file: file, line: line)
        let svgBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: svgPath)))
        guard let svg = parseSVG(svgBytes) else {
            XCTFail("\(name).svg is not well-formed XML", file: file, line: line)
            return (layout, SVG())
        }
        XCTAssertEqual(svg.rootName, "svg", file: file, line: line)
        XCTAssertEqual(svg.rootAttributes["width"], "\(width)px", file: file, line: line)
        XCTAssertEqual(svg.rootAttributes["height"], "\(height)px", file: file, line: line)
        // cairo writes text as one <use> of a glyph symbol per character (spaces included).
        let characters = layout.texts.map(\.count).reduce(0, +)
        XCTAssertEqual(svg.glyphs, characters, "glyphs in \(name).svg", file: file, line: line)

        let pdf = try chart.render(as: .pdf)
        XCTAssertEqual(Array(pdf.prefix(5)), Array("%PDF-".utf8), "\(name).pdf header", file: file, line: line)
        let tail = String(decoding: pdf.suffix(16), as: UTF8.self)
        XCTAssertTrue(tail.contains("%%EOF"), "\(name).pdf trailer", file: file, line: line)
        return (layout, svg)
    }
}
