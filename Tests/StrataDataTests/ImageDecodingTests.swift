import Foundation
@testable import StrataData
import XCTest

/// Decoding single image files: PGM/PPM (ASCII and binary, 8 and 16 bit), PNG and JPEG, and refusing bad ones.
final class ImageDecodingTests: XCTestCase {
    /// A committed fixture (Fixtures/, written by scripts/make-image-fixtures.sh).
    func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"), name)
    }

    /// The pixels the JPEG fixtures were made from: grey(y, x) = 20 + 20x + 8y, 8×8.
    static let greyGradient: [UInt8] = plane { y, x in 20 + 20 * x + 8 * y }

    /// The colour fixture's planes: R = 30 + 25x, G = 40 + 20y, B = 200 − 10x − 10y, 8×8.
    static let colorGradient: [UInt8] = plane { _, x in 30 + 25 * x } + plane { y, _ in 40 + 20 * y }
        + plane { y, x in 200 - 10 * x - 10 * y }

    /// An 8×8 plane whose pixel at (y, x) is `value(y, x)`.
    static func plane(_ value: (Int, Int) -> Int) -> [UInt8] {
        var pixels: [UInt8] = []
        for y in 0..<8 {
            for x in 0..<8 { pixels.append(UInt8(value(y, x))) }
        }
        return pixels
    }

    func testBinaryPGMWithCommentsDecodesExactly() throws {
        let folder = TemporaryFolder()
        let url = folder.write(Array("P5\n# written by hand\n3 # width\n2\n255\n".utf8) + [0, 1, 2, 253, 254, 255], to: "a.pgm")
        let image = try ImageFolderDataset.decodeImage(url)
        XCTAssertEqual([image.height, image.width], [2, 3])
        XCTAssertEqual(image.pixels, [0, 1, 2, 253, 254, 255])
    }

    func testASCIIPGMIsScaledFromItsMaxval() throws {
        let folder = TemporaryFolder()
        let url = folder.write(Array("P2\n# a comment\n3 2\n15\n0 1 2\n13\t14 15".utf8), to: "a.pgm")
        let image = try ImageFolderDataset.decodeImage(url)
        XCTAssertEqual([image.height, image.width], [2, 3])
        XCTAssertEqual(image.pixels, [0, 17, 34, 221, 238, 255])
    }

    func testSixteenBitPGMIsBigEndianAndScaled() throws {
        let folder = TemporaryFolder()
        let full = folder.write(Array("P5 2 2 65535\n".utf8) + [0x00, 0x00, 0xFF, 0xFF, 0x80, 0x00, 0x01, 0x01], to: "full.pgm")
        // (v·255 + 32767) / 65535: 0, 255, 32768 → 128, 257 → 1.
        XCTAssertEqual(try ImageFolderDataset.decodeImage(full).pixels, [0, 255, 128, 1])
        let thousand = folder.write(Array("P5\n2 1\n1000\n".utf8) + [0x01, 0xF4, 0x03, 0xE8], to: "thousand.pgm")
        XCTAssertEqual(try ImageFolderDataset.decodeImage(thousand).pixels, [128, 255])   // 500 and 1000 of 1000
    }

    func testPPMBinaryAndASCIIInColourAndGrey() throws {
        let folder = TemporaryFolder()
        let binary = folder.write(Array("P6\n2 1\n255\n".utf8) + [255, 0, 0, 0, 0, 255], to: "b.ppm")
        let ascii = folder.write(Array("P3 2 1 255 255 0 0 0 0 255\n".utf8), to: "a.ppm")
        for url in [binary, ascii] {
            XCTAssertEqual(try ImageFolderDataset.decodeImage(url, color: true).pixels, [255, 0, 0, 0, 0, 255])
            // Luma: 0.299 · 255 = 76.2 and 0.114 · 255 = 29.1.
            XCTAssertEqual(try ImageFolderDataset.decodeImage(url).pixels, [76, 29])
        }
        let grey = folder.write(Array("P5 2 1 255\n".utf8) + [9, 200], to: "g.pgm")
        XCTAssertEqual(try ImageFolderDataset.decodeImage(grey, color: true).pixels, [9, 200, 9, 200, 9, 200])
    }

    func testGreyAndColourPNG() throws {
        let grey = try ImageFolderDataset.decodeImage(try fixture("grey.png"))
        XCTAssertEqual([grey.height, grey.width], [2, 3])
        XCTAssertEqual(grey.pixels, [0, 100, 255, 7, 50, 200])
        let color = try ImageFolderDataset.decodeImage(try fixture("color.png"), color: true)
        XCTAssertEqual(color.pixels, [255, 0, 0, 10, 40, 70, 0, 255, 0, 20, 50, 80, 0, 0, 255, 30, 60, 90])
        let luma = try ImageFolderDataset.decodeImage(try fixture("color.png"))
        XCTAssertEqual(luma.pixels, [76, 150, 29, 18, 48, 78])
    }

    func testGreyAndColourJPEGDecodeCloseToTheirSource() throws {
        let grey = try ImageFolderDataset.decodeImage(try fixture("grey.jpg"))
        XCTAssertEqual([grey.height, grey.width], [8, 8])
        assertNear(grey.pixels, Self.greyGradient, within: 3)
        let greyAsColor = try ImageFolderDataset.decodeImage(try fixture("grey.jpg"), color: true)
        XCTAssertEqual(greyAsColor.pixels, grey.pixels + grey.pixels + grey.pixels)

        let color = try ImageFolderDataset.decodeImage(try fixture("color.jpg"), color: true)
        XCTAssertEqual([color.height, color.width], [8, 8])
        assertNear(color.pixels, Self.colorGradient, within: 4)
        let luma = try ImageFolderDataset.decodeImage(try fixture("color.jpg"))
        let plane = 64
        let expectedLuma = (0..<plane).map {
            ImageFolderDataset.luma(Self.colorGradient[$0], Self.colorGradient[plane + $0], Self.colorGradient[2 * plane + $0])
        }
        assertNear(luma.pixels, expectedLuma, within: 4)
    }

    func testCMYKJPEGIsRefusedClearly() throws {
        let url = try fixture("cmyk.jpg")
        assertDataError(try ImageFolderDataset.decodeImage(url), contains: [url.path, "CMYK", "not supported"])
    }

    func testBrokenPNMFilesAreRefusedWithPathAndReason() {
        let folder = TemporaryFolder()
        let cases: [(bytes: [UInt8], expected: [String])] = [
            ([], ["empty file (0 bytes)"]),
            (Array("hello".utf8), ["not a supported image", "starts with 68 65 6c 6c", "PGM (P2, P5)"]),
            (Array("P4 2 2\n".utf8) + [0, 0], ["not a supported image", "50 34"]),
            (Array("P5\n4 4\n255\n".utf8) + [UInt8](repeating: 1, count: 10),
             ["truncated pixel data", "16 bytes of pixels are expected", "only 10 follow"]),
            (Array("P5\n2 2\n65535\n".utf8) + [UInt8](repeating: 1, count: 7), ["truncated pixel data", "8 bytes", "only 7"]),
            (Array("P5\n4 4\n255".utf8), ["truncated pixel data", "only 0 follow"]),
            (Array("P2\n4 4\n255\n1 2 3\n".utf8), ["truncated pixel data", "16 samples are expected", "only 3"]),
            (Array("P5\n4 x\n255\n".utf8), ["bad header field height: 'x' is not a whole number"]),
            (Array("P5\n4".utf8), ["the file ends before the height field"]),
            (Array("P5\n0 4\n255\n".utf8), ["bad header field width: 0 is outside 1…"]),
            (Array("P5\n1 1\n70000\n".utf8) + [0, 0], ["bad header field maxval: 70000 is outside 1…65535"]),
            (Array("P2\n2 1\n10\n3 11\n".utf8), ["sample 11 at row 0, column 1 is above the header's maxval 10"]),
            (Array("P5\n2 1\n100\n".utf8) + [5, 200], ["sample 200 at row 0, column 1", "maxval 100"]),
            (Array("P2\n2 1\n10\n3 a1\n".utf8), ["sample 2 'a1' is not a whole number"]),
        ]
        for (index, item) in cases.enumerated() {
            let url = folder.write(item.bytes, to: "case\(index).pgm")
            assertDataError(try ImageFolderDataset.decodeImage(url), contains: [url.path] + item.expected)
        }
    }

    func testBrokenJPEGAndPNGFilesAreRefusedWithPathAndLibraryMessage() throws {
        let folder = TemporaryFolder()
        let jpeg = [UInt8](try Data(contentsOf: try fixture("color.jpg")))
        let scan = try XCTUnwrap(firstIndex(of: [0xFF, 0xDA], in: jpeg))
        let frame = try XCTUnwrap(firstIndex(of: [0xFF, 0xC0], in: jpeg))

        // Cut inside the entropy-coded data: libjpeg only warns and pads with grey; we refuse.
        let cut = folder.write(Array(jpeg[..<(scan + 40)]), to: "cut.jpg")
        assertDataError(try ImageFolderDataset.decodeImage(cut),
                        contains: [cut.path, "corrupt or truncated JPEG data", "Premature end of JPEG file"])
        // Cut inside the headers: libjpeg fails outright.
        let header = folder.write(Array(jpeg[..<(frame + 4)]), to: "header.jpg")
        assertDataError(try ImageFolderDataset.decodeImage(header), contains: [header.path, "not a readable JPEG", "libjpeg"])
        // A bad field in the frame header (12-bit samples).
        var precision = jpeg
        precision[frame + 4] = 12
        let bad = folder.write(precision, to: "precision.jpg")
        assertDataError(try ImageFolderDataset.decodeImage(bad), contains: [bad.path, "Unsupported JPEG data precision 12"])
        // A restart marker where none belongs, inside the scan.
        var marker = jpeg
        marker[scan + 30] = 0xFF
        marker[scan + 31] = 0xD0
        let corrupt = folder.write(marker, to: "marker.jpg")
        assertDataError(try ImageFolderDataset.decodeImage(corrupt), contains: [corrupt.path, "Corrupt JPEG data"])
        // Only the JPEG signature.
        let stub = folder.write([0xFF, 0xD8, 0xFF], to: "stub.jpg")
        assertDataError(try ImageFolderDataset.decodeImage(stub), contains: [stub.path, "not a readable JPEG"])

        let png = [UInt8](try Data(contentsOf: try fixture("color.png")))
        let truncatedPNG = folder.write(Array(png[..<40]), to: "cut.png")
        assertDataError(try ImageFolderDataset.decodeImage(truncatedPNG), contains: [truncatedPNG.path, "not a readable PNG"])
    }

    private func firstIndex(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        (0...(bytes.count - pattern.count)).first { Array(bytes[$0..<($0 + pattern.count)]) == pattern }
    }

    private func assertNear(_ actual: [UInt8], _ expected: [UInt8], within tolerance: Int,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, "pixel count", file: file, line: line)
        let worst = zip(actual, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, "largest pixel difference", file: file, line: line)
    }
}
