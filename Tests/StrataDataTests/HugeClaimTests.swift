import Foundation
@testable import StrataData
import XCTest

/// Hand-made files whose headers claim about 10¹² elements, and the exact inputs that crashed a parser in the
/// mutation tests: each must be refused with a `DataError` naming the file, before anything that size is allocated.
final class HugeClaimTests: XCTestCase {
    func testIDXHeaderClaimingATrillionBytesIsRefusedBySize() {
        let folder = TemporaryFolder()
        // 1 000 000 × 1 000 000 unsigned bytes, then 4 bytes of data.
        let plain = folder.write(Fixtures.idxHeader(type: 0x08, shape: [1_000_000, 1_000_000]) + [1, 2, 3, 4], to: "big.idx")
        assertDataError(try IDXFile.read(plain), contains: [plain.path, "1000000×1000000", "1000000000000"])
        // The same header gzipped: refused before inflating anything.
        let header = Fixtures.idxHeader(type: 0x0D, shape: [1_000_000, 1_000_000])
        let gzip = folder.write(Gzip.compress(header + [0, 0, 0, 0]), to: "big.idx.gz")
        assertDataError(try IDXFile.read(gzip), contains: [gzip.path, "1000000×1000000", "4000000000000"])
        // Within the memory limit but far beyond what 40 compressed bytes can inflate to.
        let modest = folder.write(Gzip.compress(Fixtures.idxHeader(type: 0x08, shape: [100_000, 10_000])), to: "modest.idx.gz")
        assertDataError(try IDXFile.read(modest, maxBytes: 1 << 40), contains: [modest.path, "1000000000"])
    }

    func testGzipWhoseTrailerClaimsFourGigabytesIsRefused() {
        let folder = TemporaryFolder()
        var bytes = Gzip.compress(IDXFile.encode(IDXArray(uint8: [1, 2, 3], shape: [3])))
        for index in (bytes.count - 4)..<bytes.count { bytes[index] = 0xFF }   // ISIZE = 2³² − 1
        let url = folder.write(bytes, to: "isize.idx.gz")
        assertDataError(try IDXFile.read(url), contains: [url.path, "corrupt gzip data"])
    }

    func testPGMHeaderClaimingATrillionPixelsIsRefusedBySize() {
        let folder = TemporaryFolder()
        let binary = folder.write(Array("P5\n1000000 1000000\n255\n".utf8) + [1, 2, 3], to: "big.pgm")
        assertDataError(try ImageFolderDataset.decodeImage(binary), contains: [binary.path, "1000000000000 bytes"])
        let ascii = folder.write(Array("P2\n1000000 1000000\n255\n1 2 3\n".utf8), to: "big-ascii.pgm")
        assertDataError(try ImageFolderDataset.decodeImage(ascii), contains: [ascii.path, "1000000000000 samples"])
        let beyond = folder.write(Array("P5\n1000000000000 1\n255\n".utf8), to: "wide.pgm")
        assertDataError(try ImageFolderDataset.decodeImage(beyond), contains: [beyond.path, "width"])
    }

    /// A committed image fixture (Fixtures/, written by scripts/make-image-fixtures.sh).
    func fixture(_ name: String) throws -> [UInt8] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"), name)
        return [UInt8](try Data(contentsOf: url))
    }

    /// `png` with its IHDR width and height replaced and the chunk's CRC recomputed, so libpng would accept it.
    func png(_ png: [UInt8], width: UInt32, height: UInt32) -> [UInt8] {
        var bytes = png
        for index in 0..<4 {
            bytes[16 + index] = UInt8(truncatingIfNeeded: width >> UInt32(24 - 8 * index))
            bytes[20 + index] = UInt8(truncatingIfNeeded: height >> UInt32(24 - 8 * index))
        }
        return PNGChunks.repairingCRCs(bytes)
    }

    func testPNGHeaderClaimingATrillionPixelsIsRefusedBeforeCairoAllocates() throws {
        let folder = TemporaryFolder()
        let source = try fixture("grey.png")
        let huge = folder.write(png(source, width: 1_000_000, height: 1_000_000), to: "huge.png")
        assertDataError(try ImageFolderDataset.decodeImage(huge), contains: [huge.path, "1000000×1000000", "1…32767"])
        // Within cairo's limit (4 GB of surface) but far more than the file's few hundred bytes can inflate to.
        let large = folder.write(png(source, width: 32767, height: 32767), to: "large.png")
        assertDataError(try ImageFolderDataset.decodePNG(large), contains: [large.path, "32767×32767", "refused before allocating"])
        XCTAssertEqual(try ImageFolderDataset.decodeImage(folder.write(png(source, width: 3, height: 2), to: "same.png")).width, 3,
                       "the CRC repair keeps a valid file valid")
    }

    func testJPEGFrameClaimingTheLargestSizeIsRefusedBeforeLibjpegAllocates() throws {
        let folder = TemporaryFolder()
        var bytes = try fixture("color.jpg")
        let frame = try XCTUnwrap((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        for offset in [5, 6, 7, 8] { bytes[frame + offset] = offset % 2 == 1 ? 0xFF : 0xDC }   // 65500 × 65500
        let url = folder.write(bytes, to: "huge.jpg")
        assertDataError(try ImageFolderDataset.decodeImage(url, color: true),
                        contains: [url.path, "65500×65500", "more than its \(bytes.count) bytes can encode",
                                   "refused before allocating"])
        // Padded to 9 MB, the same frame passes that bound and meets the 1 GiB limit on the output instead.
        let long = folder.write(bytes + [UInt8](repeating: 0, count: 9 << 20), to: "long.jpg")
        assertDataError(try ImageFolderDataset.decodeImage(long, color: true),
                        contains: [long.path, "65500×65500", "too large", "refused before allocating"])
        // 4000 × 4000 is within the 1 GiB limit, but a few hundred bytes of Huffman-coded data cannot cover it.
        for offset in [5, 6, 7, 8] { bytes[frame + offset] = offset % 2 == 1 ? 0x0F : 0xA0 }
        let padded = folder.write(bytes, to: "padded.jpg")
        assertDataError(try ImageFolderDataset.decodeImage(padded), contains: [padded.path, "4000×4000", "bytes can encode"])
    }

    func testGzipBombIsRefusedAtTheLimit() throws {
        let folder = TemporaryFolder()
        let url = folder.write(Gzip.compress([UInt8](repeating: UInt8(ascii: "0"), count: 4 << 20), level: 9), to: "bomb.csv.gz")
        assertDataError(try ByteStreams.readAll(url, maxBytes: 1 << 20), contains: [url.path, "more than 1048576 bytes"])
        XCTAssertEqual(try ByteStreams.readAll(url, maxBytes: 4 << 20).count, 4 << 20)
    }

    /// Found by the mutation tests (csv, seed 8): a label of 10¹² asked for 10¹² class names (16 TB).
    func testCSVLabelOfATrillionIsRefusedWithoutAllocatingClassNames() {
        let folder = TemporaryFolder()
        let url = folder.write(Array("1000000000000, 9, 8, 7, 6\n 0,0,0,0,0\n".utf8), to: "digits.csv")
        assertDataError(try CSVDataset.load(from: url), contains: [url.path, "line 1", "label 1000000000000", "0…99999"])
        assertDataError(try CSVDataset.load(from: url, classNames: ["a", "b"]), contains: [url.path, "line 1", "0…1"])
    }

    func testIDXLabelsOfTwoBillionAreRefusedWithoutAllocatingClassNames() {
        let folder = TemporaryFolder()
        let images = folder.write(IDXFile.encode(IDXArray(uint8: [0, 0], shape: [2, 1, 1])), to: "images.idx")
        let labels = folder.write(IDXFile.encode(IDXArray([3, 2_147_483_647], shape: [2], elementType: .int32)), to: "labels.idx")
        assertDataError(try Dataset(imagesFile: images, labelsFile: labels),
                        contains: [labels.path, "label 2147483647 at index 1", "0…99999"])
    }
}
