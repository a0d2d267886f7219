import Foundation
@testable import StrataData
import StrataTestSupport
import XCTest

/// Seeded mutation tests of every reader of outside data in StrataData: IDX (plain and gzip), PGM/PPM, PNG, JPEG
/// and CSV. Each mutated file must either load or be refused with a `DataError` naming it (see `MutationFuzzer`).
final class ParserMutationTests: XCTestCase {
    /// A committed image fixture (Fixtures/, written by scripts/make-image-fixtures.sh).
    func fixture(_ name: String) throws -> [UInt8] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"), name)
        return [UInt8](try Data(contentsOf: url))
    }

    /// Small IDX files of every element type: images `(3, 4, 4)`, labels `(5)`, and 1-, 2- and 0-dimensional others.
    static let idxSeeds: [[UInt8]] = [
        IDXFile.encode(IDXArray(uint8: (0..<48).map { UInt8($0 * 5 % 256) }, shape: [3, 4, 4])),
        IDXFile.encode(IDXArray(uint8: [0, 1, 2, 9, 3], shape: [5])),
        IDXFile.encode(IDXArray([1, -2, 300, -40000, 7, 8], shape: [2, 3], elementType: .int32)),
        IDXFile.encode(IDXArray([0.5, -1.25, 3, 1e9], shape: [2, 2], elementType: .float32)),
        IDXFile.encode(IDXArray([1, 2, 3], shape: [3], elementType: .float64)),
        IDXFile.encode(IDXArray([-5, 5, 1000], shape: [3], elementType: .int16)),
        IDXFile.encode(IDXArray([-1, 1], shape: [2], elementType: .int8)),
        IDXFile.encode(IDXArray(uint8: [42], shape: [])),
    ]

    /// The header fields of an IDX file: type, dimension count and each 32-bit big-endian size.
    static func idxFields(_ bytes: [UInt8]) -> [HeaderField] {
        let dimensions = bytes.count > 3 ? Int(bytes[3]) : 0
        return [HeaderField(offset: 2, width: 1, bigEndian: true), HeaderField(offset: 3, width: 1, bigEndian: true)]
            + (0..<dimensions).map { HeaderField(offset: 4 + 4 * $0, width: 4, bigEndian: true) }
    }

    func testIDXFilesSurviveMutations() {
        MutationFuzzer.run("idx", fileName: "data.idx", seeds: Self.idxSeeds, count: 6000, seed: 1,
                           fields: Self.idxFields) { url in
            _ = try IDXFile.readHeader(url)
            let array = try IDXFile.read(url)
            _ = array.doubles()
            _ = array.integers()
        }
    }

    func testGzippedIDXFilesSurviveMutations() {
        // gzip fields: flags, modification time, then the trailer's CRC-32 and ISIZE (little-endian).
        let fields: ([UInt8]) -> [HeaderField] = { bytes in
            [HeaderField(offset: 3, width: 1, bigEndian: false), HeaderField(offset: 4, width: 4, bigEndian: false),
             HeaderField(offset: max(0, bytes.count - 8), width: 4, bigEndian: false),
             HeaderField(offset: max(0, bytes.count - 4), width: 4, bigEndian: false)]
        }
        let seeds = Self.idxSeeds.prefix(4).map { Gzip.compress($0) } + [Gzip.compress(Self.idxSeeds[1]) + Gzip.compress([])]
        MutationFuzzer.run("idx-gzip", fileName: "data.idx.gz", seeds: seeds, count: 4000, seed: 2, fields: fields) { url in
            _ = try IDXFile.read(url)
        }
    }

    func testIDXDatasetPairsSurviveMutatedLabels() {
        let images = IDXFile.encode(IDXArray(uint8: [UInt8](repeating: 7, count: 5 * 4), shape: [5, 2, 2]))
        MutationFuzzer.run("idx-dataset", fileName: "labels.idx", seeds: [Self.idxSeeds[1]], count: 2000, seed: 3,
                           fields: Self.idxFields, companions: ["images.idx": images]) { url in
            let dataset = try Dataset(imagesFile: url.deletingLastPathComponent().appendingPathComponent("images.idx"),
                                      labelsFile: url)
            _ = dataset.classCounts()
        }
    }

    func testPGMAndPPMFilesSurviveMutations() {
        let seeds: [[UInt8]] = [
            Array("P5\n# comment\n3 2\n255\n".utf8) + [0, 1, 2, 253, 254, 255],
            Array("P2\n3 2\n15\n0 1 2\n13 14 15\n".utf8),
            Array("P5 2 2 65535\n".utf8) + [0x00, 0x00, 0xFF, 0xFF, 0x80, 0x00, 0x01, 0x01],
            Array("P6\n2 1\n255\n".utf8) + [255, 0, 0, 0, 0, 255],
            Array("P3 2 1 255 255 0 0 0 0 255\n".utf8),
        ]
        MutationFuzzer.run("pnm", fileName: "image.pgm", seeds: seeds, count: 6000, seed: 4) { url in
            _ = try ImageFolderDataset.decodeImage(url)
            _ = try ImageFolderDataset.decodeImage(url, color: true)
        }
    }

    func testPNGFilesSurviveMutations() throws {
        let seeds = [try fixture("grey.png"), try fixture("color.png")]
        // IHDR: width, height (32-bit big-endian), bit depth, colour type, interlace.
        let fields: ([UInt8]) -> [HeaderField] = { _ in
            [HeaderField(offset: 16, width: 4, bigEndian: true), HeaderField(offset: 20, width: 4, bigEndian: true),
             HeaderField(offset: 24, width: 1, bigEndian: true), HeaderField(offset: 25, width: 1, bigEndian: true),
             HeaderField(offset: 28, width: 1, bigEndian: true), HeaderField(offset: 8, width: 4, bigEndian: true)]
        }
        MutationFuzzer.run("png", fileName: "image.png", seeds: seeds, count: 2000, seed: 5, fields: fields) { url in
            _ = try ImageFolderDataset.decodeImage(url)
        }
        // The same with every chunk's CRC repaired, so that libpng reads past its checksums.
        var repaired = 0
        MutationFuzzer.run("png-crc", fileName: "image.png", seeds: seeds, count: 2000, seed: 6, fields: fields) { url in
            let bytes = [UInt8](try Data(contentsOf: url))
            let fixed = PNGChunks.repairingCRCs(bytes)
            if fixed != bytes { repaired += 1 }
            try MutationFuzzer.replace(url, with: fixed)
            _ = try ImageFolderDataset.decodeImage(url, color: true)
        }
        XCTAssertGreaterThan(repaired, 500, "most mutations should need their CRCs repaired")
    }

    func testJPEGFilesSurviveMutations() throws {
        let seeds = [try fixture("grey.jpg"), try fixture("color.jpg")]
        var color = false
        MutationFuzzer.run("jpeg", fileName: "image.jpg", seeds: seeds, count: 4000, seed: 7, fields: Self.jpegFields) { url in
            color.toggle()   // grey and RGB output in turn
            _ = try ImageFolderDataset.decodeImage(url, color: color)
        }
    }

    /// The length of every JPEG segment and the height and width of its frame header.
    static func jpegFields(_ bytes: [UInt8]) -> [HeaderField] {
        var fields: [HeaderField] = []
        var position = 2
        while position + 4 <= bytes.count, bytes[position] == 0xFF {
            let marker = bytes[position + 1]
            fields.append(HeaderField(offset: position + 2, width: 2, bigEndian: true))
            if (0xC0...0xC2).contains(marker) {
                fields.append(HeaderField(offset: position + 5, width: 2, bigEndian: true))
                fields.append(HeaderField(offset: position + 7, width: 2, bigEndian: true))
            }
            if marker == 0xDA { break }
            position += 2 + (Int(bytes[position + 2]) << 8 | Int(bytes[position + 3]))
        }
        return fields
    }

    func testCSVFilesSurviveMutations() {
        let plain = Array("label,p0,p1,p2,p3\n1,0,255,3,4\n0,10,20,30,40\r\n2,1,2,3,4.0\n".utf8)
        let headless = Array("3, 9, 8, 7, 6\n 0,0,0,0,0\n".utf8)
        MutationFuzzer.run("csv", fileName: "digits.csv", seeds: [plain, headless], count: 4000, seed: 8) { url in
            _ = try CSVDataset.load(from: url)
        }
        MutationFuzzer.run("csv-gzip", fileName: "digits.csv.gz", seeds: [Gzip.compress(plain)], count: 1000, seed: 9) { url in
            _ = try CSVDataset.load(from: url, height: 2, width: 2)
        }
    }
}

/// PNG chunk helpers for tests: the CRC-32 of each chunk, recomputed.
enum PNGChunks {
    /// `bytes` with the CRC of every complete chunk after the 8-byte signature set to its true value.
    static func repairingCRCs(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        var position = 8
        while position + 12 <= result.count {
            let length = result[position..<(position + 4)].reduce(0) { $0 << 8 | Int($1) }
            let end = position + 8 + length
            guard length >= 0, end + 4 <= result.count else { break }
            let crc = crc32(result[(position + 4)..<end])
            for index in 0..<4 { result[end + index] = UInt8(truncatingIfNeeded: crc >> UInt32(24 - 8 * index)) }
            position = end + 4
        }
        return result
    }

    /// The CRC-32 (ISO 3309, as PNG and gzip use it) of `bytes`.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }
}
