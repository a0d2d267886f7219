import Foundation
@testable import StrataData
import XCTest

/// The fetcher, against `file://` mirrors in a temporary folder (this machine has no internet).
final class DatasetFetcherTests: XCTestCase {
    private let content = IDXFile.encode(IDXArray(uint8: [1, 2, 3, 4, 5, 6], shape: [6]))

    private func fixtureFile() -> BuiltinDatasetFile {
        BuiltinDatasetFile("tiny-labels-idx1-ubyte", .training, .labels, content.count, SHA256.hash(content).hex)
    }

    private func leftovers(in folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.contains("partial") }
    }

    func testMirrorsAreTriedInTurn() throws {
        let folder = TemporaryFolder()
        folder.write(Gzip.compress(content), to: "good-mirror/tiny-labels-idx1-ubyte.gz")
        let mirrors = [folder.file("empty-mirror/"), folder.file("good-mirror/")]
        try FileManager.default.createDirectory(at: mirrors[0], withIntermediateDirectories: true)
        let target = folder.file("cache")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)

        let fetched = try DatasetFetcher.fetch(fixtureFile(), into: target, mirrors: mirrors, progress: nil)
        XCTAssertEqual(fetched.source?.path, mirrors[1].appendingPathComponent("tiny-labels-idx1-ubyte.gz").path)
        XCTAssertEqual(fetched.failedAttempts.count, 1)
        XCTAssertTrue(fetched.failedAttempts[0].contains("empty-mirror"))
        XCTAssertEqual(try IDXFile.readLabels(target.appendingPathComponent("tiny-labels-idx1-ubyte.gz")), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(leftovers(in: target), [])

        // A second fetch finds the verified file and downloads nothing.
        let again = try DatasetFetcher.fetch(fixtureFile(), into: target, mirrors: [], progress: nil)
        XCTAssertNil(again.source)
    }

    func testChecksumMismatchIsRefusedAndLeavesNothingBehind() throws {
        let folder = TemporaryFolder()
        var tampered = content
        tampered[tampered.count - 1] = 99
        folder.write(Gzip.compress(tampered), to: "bad-mirror/tiny-labels-idx1-ubyte.gz")
        folder.write(Array("<html>404</html>".utf8), to: "html-mirror/tiny-labels-idx1-ubyte.gz")
        let target = folder.file("cache")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        assertDataError(try DatasetFetcher.fetch(fixtureFile(), into: target,
                                                 mirrors: [folder.file("bad-mirror/"), folder.file("html-mirror/")],
                                                 progress: nil),
                        contains: ["tiny-labels-idx1-ubyte.gz: every mirror failed", "bad-mirror", "SHA-256",
                                   fixtureFile().sha256, "html-mirror", "not gzip"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.appendingPathComponent("tiny-labels-idx1-ubyte.gz").path))
        XCTAssertEqual(leftovers(in: target), [])
    }

    func testACorruptCachedFileIsReplaced() throws {
        let folder = TemporaryFolder()
        folder.write(Gzip.compress(content), to: "mirror/tiny-labels-idx1-ubyte.gz")
        let target = folder.file("cache")
        folder.write(Gzip.compress([0, 0, 8, 1, 0, 0, 0, 0]), to: "cache/tiny-labels-idx1-ubyte.gz")
        var messages: [String] = []
        let fetched = try DatasetFetcher.fetch(fixtureFile(), into: target, mirrors: [folder.file("mirror/")],
                                               progress: { messages.append($0) })
        XCTAssertNotNil(fetched.source)
        XCTAssertTrue(messages.contains { $0.contains("does not match its SHA-256") })
        XCTAssertNoThrow(try DatasetFetcher.verify(target.appendingPathComponent("tiny-labels-idx1-ubyte.gz"),
                                                   against: fixtureFile()))
    }

    func testFetchingSeveralFilesGivesAReport() throws {
        let folder = TemporaryFolder()
        let other = IDXFile.encode(IDXArray(uint8: [7, 7], shape: [2]))
        let files = [fixtureFile(), BuiltinDatasetFile("tiny-test-labels", .test, .labels, other.count, SHA256.hash(other).hex)]
        folder.write(Gzip.compress(content), to: "mirror/tiny-labels-idx1-ubyte.gz")
        folder.write(Gzip.compress(other), to: "mirror/tiny-test-labels.gz")
        try FileManager.default.createDirectory(at: folder.file("cache"), withIntermediateDirectories: true)
        let report = try DatasetFetcher.fetch(files, of: .mnist, into: folder.file("cache"),
                                              mirrors: [folder.file("mirror/")], progress: nil)
        XCTAssertFalse(report.wasAlreadyPresent)
        XCTAssertTrue(report.description.contains("tiny-test-labels.gz: downloaded from file://"), report.description)
        let again = try DatasetFetcher.fetch(files, of: .mnist, into: folder.file("cache"), mirrors: [], progress: nil)
        XCTAssertTrue(again.wasAlreadyPresent)
        XCTAssertTrue(again.description.contains("already present, SHA-256 verified"))
    }

    func testFetchingRealFilesFromALocalMirror() throws {
        let root = try Fixtures.sharedDataRoot()
        let folder = TemporaryFolder()
        // The label files only: the images take seconds to hash in a debug build.
        for dataset in BuiltinDataset.allCases {
            let labels = dataset.files.filter { $0.role == .labels }
            let target = folder.file(dataset.rawValue)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            let report = try DatasetFetcher.fetch(labels, of: dataset, into: target,
                                                  mirrors: [folder.file("missing/"), root.appendingPathComponent("\(dataset)/")],
                                                  progress: nil)
            XCTAssertTrue(report.files.allSatisfy { $0.source != nil && $0.failedAttempts.count == 1 })
            XCTAssertEqual(try IDXFile.readLabels(target.appendingPathComponent("train-labels-idx1-ubyte.gz")).count, 60_000)
        }
    }

    func testUnknownDatasetName() {
        assertDataError(try DatasetFetcher.fetch(name: "imagenet", into: URL(fileURLWithPath: "/nonexistent")),
                        contains: ["unknown dataset 'imagenet'"])
    }
}
