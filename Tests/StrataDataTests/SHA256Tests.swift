import Foundation
@testable import StrataData
import XCTest

final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hash([]).hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hash(Array("abc".utf8)).hex,
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hex,
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex,
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testFeedingInPiecesGivesTheSameDigest() {
        let message: [UInt8] = (0..<1000).map { (i: Int) -> UInt8 in UInt8(i % 256) }
        let whole = SHA256.hash(message)
        for pieceSize in [1, 3, 55, 56, 63, 64, 65, 200] {
            var hasher = SHA256()
            var start = 0
            while start < message.count {
                hasher.update(Array(message[start..<min(start + pieceSize, message.count)]))
                start += pieceSize
            }
            XCTAssertEqual(hasher.finalize(), whole, "pieces of \(pieceSize)")
        }
        // Every padding length around the 56-byte boundary.
        for length in 50...70 {
            var hasher = SHA256()
            hasher.update(Array(message[..<length]))
            XCTAssertEqual(hasher.finalize(), SHA256.hash(Array(message[..<length])))
        }
    }

    func testHashOfAGzipFileIsTheHashOfItsContent() throws {
        let folder = TemporaryFolder()
        let content = Array("The quick brown fox jumps over the lazy dog".utf8)
        let url = folder.write(Gzip.compress(content), to: "fox.txt.gz")
        XCTAssertEqual(try SHA256.hash(contentsOf: url).hex,
                       "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
    }

    func testRealFilesMatchThePublishedChecksums() throws {
        let root = try Fixtures.sharedDataRoot()
        for dataset in BuiltinDataset.allCases {
            // The label files and the MNIST test images: quick even in a debug build.
            for file in dataset.files where file.role == .labels || (dataset == .mnist && file.part == .test) {
                let url = root.appendingPathComponent("\(dataset.rawValue)/\(file.gzipName)")
                XCTAssertEqual(try SHA256.hash(contentsOf: url).hex, file.sha256, url.path)
            }
        }
    }
}
