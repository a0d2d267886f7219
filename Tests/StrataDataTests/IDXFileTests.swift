import Foundation
@testable import StrataData
import XCTest

final class IDXFileTests: XCTestCase {
    func testEveryElementTypeRoundTripsPlainAndGzipped() throws {
        let folder = TemporaryFolder()
        let values: [Double] = [0, 1, -2, 100, -128, 127, 42, -7, 3, 5, 8, 13]
        for type in IDXElementType.allCases {
            let usable = type == .uint8 ? values.map { abs($0) } : values
            let array = IDXArray(usable, shape: [2, 3, 2], elementType: type)
            for name in ["a-\(type).idx", "a-\(type).idx.gz"] {
                let url = folder.file(name)
                try IDXFile.write(array, to: url)
                let read = try IDXFile.read(url)
                XCTAssertEqual(read, array, "\(name)")
                XCTAssertEqual(read.doubles(), usable, "\(name)")
                XCTAssertEqual(read.elementType, type)
                XCTAssertEqual(read.shape, [2, 3, 2])
            }
        }
    }

    func testFractionsSurviveFloatTypes() throws {
        let folder = TemporaryFolder()
        let values: [Double] = [0.5, -1.25, 3.0e10, 1.0 / 3.0]
        let doubles = IDXArray(values, shape: [4], elementType: .float64)
        try IDXFile.write(doubles, to: folder.file("d.gz"))
        XCTAssertEqual(try IDXFile.read(folder.file("d.gz")).doubles(), values)
        let floats = IDXArray(values, shape: [4], elementType: .float32)
        XCTAssertEqual(floats.floats(), values.map { Float($0) })
        XCTAssertNil(floats.integers())
    }

    func testBigEndianLayoutMatchesTheSpecification() {
        let array = IDXArray([258, -1], shape: [2], elementType: .int16)
        XCTAssertEqual(IDXFile.encode(array), [0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFF])
        XCTAssertEqual(array.integers(), [258, -1])
    }

    func testImagesAndLabelsConvenience() throws {
        let folder = TemporaryFolder()
        Fixtures.writeIDXPair(in: folder, subfolder: "d", count: 5, labels: [3, 1, 4, 1, 5])
        let images = try IDXFile.readImages(folder.file("d/train-images-idx3-ubyte.gz"))
        XCTAssertEqual([images.count, images.height, images.width], [5, 4, 4])
        XCTAssertEqual(images.pixels[17], 17)
        XCTAssertEqual(try IDXFile.readLabels(folder.file("d/train-labels-idx1-ubyte.gz")), [3, 1, 4, 1, 5])
        let header = try IDXFile.readHeader(folder.file("d/train-images-idx3-ubyte.gz"))
        XCTAssertEqual(header.elementType, .uint8)
        XCTAssertEqual(header.shape, [5, 4, 4])
    }

    func testImagesOfTheWrongLayoutAreRefused() throws {
        let folder = TemporaryFolder()
        let url = folder.file("labels-as-images.idx")
        try IDXFile.write(IDXArray(uint8: [1, 2, 3], shape: [3]), to: url)
        assertDataError(try IDXFile.readImages(url), contains: ["labels-as-images.idx", "(N, H, W)", "u8 shaped 3"])
        let floats = folder.file("float-labels.idx")
        try IDXFile.write(IDXArray([1, 2], shape: [2], elementType: .float32), to: floats)
        assertDataError(try IDXFile.readLabels(floats), contains: ["float-labels.idx", "integers", "f32"])
    }

    func testGzipStreamInflatesInSmallPiecesAndAcrossMembers() throws {
        let folder = TemporaryFolder()
        let content: [UInt8] = (0..<100_000).map { (i: Int) -> UInt8 in UInt8((i * 31 + i / 7) % 251) }
        // Two gzip members back to back are one stream, as for gunzip.
        let url = folder.write(Gzip.compress(Array(content[..<40_000])) + Gzip.compress(Array(content[40_000...])),
                               to: "two-members.bin.gz")
        let stream = try GzipStream(PlainFileStream(url), inputChunk: 97)
        var collected: [UInt8] = []
        while true {
            let piece = try stream.read(upTo: 1_013)
            if piece.isEmpty { break }
            collected += piece
        }
        XCTAssertEqual(collected, content)
        XCTAssertTrue(stream.endedCleanly)
        XCTAssertEqual(try ByteStreams.readAll(url), content)
    }

    func testGzipIsDetectedByMagicWhateverTheName() throws {
        let folder = TemporaryFolder()
        let array = IDXArray(uint8: [9, 8, 7], shape: [3])
        let url = folder.file("labels-without-extension")
        try IDXFile.write(array, to: url, compressed: true)
        XCTAssertEqual(try IDXFile.read(url), array)
    }
}
