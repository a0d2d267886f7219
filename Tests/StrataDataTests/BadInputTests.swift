import Foundation
@testable import StrataData
import XCTest

/// Point 8 of the issue: every kind of bad input is refused with an error naming the file and the problem.
final class BadInputTests: XCTestCase {
    private let imagesHeader = Fixtures.idxHeader(type: 0x08, shape: [10, 28, 28])

    func testTruncatedPlainFile() {
        let folder = TemporaryFolder()
        let url = folder.write(imagesHeader + [UInt8](repeating: 1, count: 1234), to: "train-images-idx3-ubyte")
        assertDataError(try IDXFile.read(url),
                        contains: ["train-images-idx3-ubyte:", "truncated", "10×28×28", "7840", "ends after 1234"])
    }

    func testTruncatedGzipFile() {
        let folder = TemporaryFolder()
        // A complete gzip stream whose content is short …
        let short = folder.write(Gzip.compress(imagesHeader + [UInt8](repeating: 1, count: 1234)),
                                 to: "short-images-idx3-ubyte.gz")
        assertDataError(try IDXFile.read(short), contains: ["short-images-idx3-ubyte.gz", "truncated", "ends after 1234"])
        // … and a gzip file cut off in the middle of its compressed stream.
        let noise: [UInt8] = (0..<7840).map { (i: Int) -> UInt8 in UInt8((i * 7919) % 251) }
        let full = Gzip.compress(imagesHeader + noise)
        let cut = folder.write(Array(full[..<(full.count / 2)]), to: "cut-images-idx3-ubyte.gz")
        assertDataError(try IDXFile.read(cut),
                        contains: ["cut-images-idx3-ubyte.gz", "truncated", "gzip stream is cut off", "10×28×28"])
    }

    func testTruncatedHeader() {
        let folder = TemporaryFolder()
        let url = folder.write([0, 0, 8, 3, 0, 0], to: "stub.idx")
        assertDataError(try IDXFile.read(url), contains: ["stub.idx", "truncated", "header needs 16 bytes", "ends after 6"])
        let empty = folder.write([], to: "empty.idx")
        assertDataError(try IDXFile.read(empty), contains: ["empty.idx", "truncated"])
    }

    func testWrongMagicNumber() {
        let folder = TemporaryFolder()
        let url = folder.write(Array("PK\u{3}\u{4}not an idx file".utf8), to: "archive.idx")
        assertDataError(try IDXFile.read(url), contains: ["archive.idx", "wrong magic number", "50 4b 03 04"])
        let badType = folder.write(Fixtures.idxHeader(type: 0x0A, shape: [1]) + [0], to: "type.idx")
        assertDataError(try IDXFile.read(badType), contains: ["type.idx", "unknown IDX element type 0x0A"])
    }

    func testHeaderSizesDisagreeWithLength() {
        let folder = TemporaryFolder()
        let plain = folder.write(Fixtures.idxHeader(type: 0x08, shape: [3]) + [1, 2, 3, 4, 5], to: "labels.idx")
        assertDataError(try IDXFile.read(plain), contains: ["labels.idx", "disagree", "header says 3 = 3 bytes", "holds 5 bytes"])
        let gzipped = folder.write(Gzip.compress(Fixtures.idxHeader(type: 0x08, shape: [3]) + [1, 2, 3, 4]),
                                   to: "labels.idx.gz")
        assertDataError(try IDXFile.read(gzipped), contains: ["labels.idx.gz", "disagree", "holds more"])
    }

    func testLabelsOutOfRange() {
        let folder = TemporaryFolder()
        Fixtures.writeIDXPair(in: folder, subfolder: "d", count: 4, labels: [0, 1, 12, 2])
        assertDataError(try Dataset(imagesFile: folder.file("d/train-images-idx3-ubyte.gz"),
                                    labelsFile: folder.file("d/train-labels-idx1-ubyte.gz"),
                                    classNames: BuiltinDataset.mnist.classNames),
                        contains: ["train-labels-idx1-ubyte.gz", "label 12 at index 2", "out of range 0…9"])
        assertDataError(try Dataset(name: "mine", images: [0, 0, 0], labels: [0, -1, 0], height: 1, width: 1,
                                    classNames: ["a", "b"]),
                        contains: ["mine", "label -1 at index 1"])
    }

    func testImageAndLabelCountsDiffer() throws {
        let folder = TemporaryFolder()
        Fixtures.writeIDXPair(in: folder, subfolder: "d", count: 5)
        try IDXFile.write(IDXArray(uint8: [1, 2, 3], shape: [3]), to: folder.file("d/train-labels-idx1-ubyte.gz"))
        assertDataError(try Dataset(imagesFile: folder.file("d/train-images-idx3-ubyte.gz"),
                                    labelsFile: folder.file("d/train-labels-idx1-ubyte.gz")),
                        contains: ["train-images-idx3-ubyte.gz has 5 images", "train-labels-idx1-ubyte.gz has 3 labels"])
    }

    func testFileNamedGzThatIsNotGzip() {
        let folder = TemporaryFolder()
        let url = folder.write(Fixtures.idxHeader(type: 0x08, shape: [2]) + [1, 2], to: "labels-idx1-ubyte.gz")
        assertDataError(try IDXFile.read(url), contains: ["labels-idx1-ubyte.gz", "named .gz but is not gzip", "00 00"])
    }

    func testCorruptGzipData() {
        let folder = TemporaryFolder()
        var bytes = Gzip.compress(Fixtures.idxHeader(type: 0x08, shape: [100]) + [UInt8](repeating: 7, count: 100))
        bytes[bytes.count - 6] ^= 0xFF  // damage the CRC-32 in the trailer
        let url = folder.write(bytes, to: "crc.idx.gz")
        assertDataError(try IDXFile.read(url), contains: ["crc.idx.gz", "corrupt gzip data", "incorrect data check"])
    }

    func testHeaderClaimingMoreThanFitsInMemoryIsRefusedBeforeAllocating() {
        let folder = TemporaryFolder()
        // 4e9 × 4e9 × 4e9 bytes overflows 64 bits; 2^31 × 2^31 f64 is 32 EiB: both refused from the header alone.
        let huge = folder.write(Fixtures.idxHeader(type: 0x08, shape: [4_000_000_000, 4_000_000_000, 4_000_000_000]),
                                to: "huge-images.idx.gz")
        let gzipped = folder.write(Gzip.compress(Fixtures.idxHeader(type: 0x0E, shape: [1 << 31, 1 << 31])),
                                   to: "huge-doubles.idx.gz")
        // The gzip check runs first for the .gz name; write the plain one under a plain name.
        let plain = folder.write(Fixtures.idxHeader(type: 0x08, shape: [4_000_000_000, 4_000_000_000, 4_000_000_000]),
                                 to: "huge-images.idx")
        assertDataError(try IDXFile.read(huge), contains: ["huge-images.idx.gz", "not gzip"])
        assertDataError(try IDXFile.read(plain), contains: ["huge-images.idx", "more than fits in memory", "refused before allocating"])
        assertDataError(try IDXFile.read(gzipped), contains: ["huge-doubles.idx.gz", "2147483648×2147483648 f64", "more than fits in memory"])
        // A gzip file far too small for what its header claims (1e9 bytes from ~40): refused from its size.
        let tiny = folder.write(Gzip.compress(Fixtures.idxHeader(type: 0x08, shape: [100_000, 100, 100])),
                                to: "tiny-images.idx.gz")
        assertDataError(try IDXFile.read(tiny), contains: ["tiny-images.idx.gz", "truncated", "100000×100×100",
                                                           "can hold at most", "refused before allocating"])
        // A modest claim over an explicit limit.
        let modest = folder.write(Gzip.compress(imagesHeader), to: "modest.idx.gz")
        assertDataError(try IDXFile.read(modest, maxBytes: 1000), contains: ["modest.idx.gz", "7840 bytes", "limit 1000"])
    }

    func testMissingFileAndFolder() {
        let folder = TemporaryFolder()
        assertDataError(try IDXFile.read(folder.file("nope.idx")), contains: ["nope.idx", "cannot read", "No such file"])
        assertDataError(try IDXFile.read(folder.url), contains: ["cannot read", "folder"])
    }
}
