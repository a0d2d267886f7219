import Foundation
import XCTest
@testable import StrataRetrieval

final class IndexFileTests: XCTestCase {
    var folder: URL!
    let vectors = RetrievalTestData.unit(RetrievalTestData.normal(count: 60, dimension: 4, seed: 31))

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("IndexFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func savedIVF(_ name: String = "faces.json") throws -> (IVFIndex, URL) {
        var index = try IVFIndex.train(on: vectors, listCount: 5, options: KMeansOptions(clusterCount: 5, seed: 2))
        try index.add(vectors, items: RetrievalTestData.items(count: 60))
        let url = folder.appendingPathComponent(name)
        try IndexFile.save(index, fingerprint: "model-a:123", to: url)
        return (index, url)
    }

    /// Rewrites field `name` of the sidecar at `url` (nil removes it).
    func edit(_ url: URL, _ name: String, _ value: Any?) throws {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        object[name] = value
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    func assertRefused(_ url: URL, fingerprint: String = "model-a:123", dimension: Int? = 4, _ expected: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try IndexFile.load(from: url, expectedFingerprint: fingerprint, expectedDimension: dimension),
                             file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
        }
    }

    func testIVFRoundTripAndAddingAfterLoading() throws {
        let (index, url) = try savedIVF()
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("faces.safetensors").path))
        var loaded = try IndexFile.loadIVF(from: url, expectedFingerprint: "model-a:123", expectedDimension: 4)
        XCTAssertEqual(loaded, index)
        let newcomer = RetrievalTestData.unit(RetrievalTestData.normal(count: 5, dimension: 4, seed: 32))
        let items = (0..<5).map { IndexItem(id: 100 + $0, label: "newcomer", path: "new/\($0).pgm") }
        try loaded.add(newcomer, items: items)
        XCTAssertEqual(loaded.count, 65)
        XCTAssertEqual(try loaded.search(Array(newcomer.vector(at: 2)), k: 1, nprobe: 5).first?.item, items[2])
        try IndexFile.save(loaded, fingerprint: "model-a:123", to: url)
        XCTAssertEqual(try IndexFile.load(from: url, expectedFingerprint: "model-a:123"), .ivf(loaded))
    }

    func testFlatRoundTripWithL2AndAnEmptyIndex() throws {
        var flat = FlatIndex(dimension: 4, metric: .l2)
        try flat.add(vectors, items: RetrievalTestData.items(count: 60))
        let url = folder.appendingPathComponent("flat.json")
        try IndexFile.save(flat, fingerprint: "m", to: url)
        let loaded = try IndexFile.loadFlat(from: url, expectedFingerprint: "m")
        XCTAssertEqual(loaded, flat)
        XCTAssertEqual(try loaded.search(vectors, k: 3), try flat.search(vectors, k: 3))
        let empty = folder.appendingPathComponent("empty.json")
        try IndexFile.save(FlatIndex(dimension: 4), fingerprint: "m", to: empty)
        XCTAssertEqual(try IndexFile.load(from: empty, expectedFingerprint: "m"), .flat(FlatIndex(dimension: 4)))
        XCTAssertThrowsError(try IndexFile.loadIVF(from: url, expectedFingerprint: "m")) {
            XCTAssertEqual($0 as? IndexError, .invalidField(path: url.path, field: "kind", reason: "is \"flat\" but an IVF index is expected"))
        }
    }

    func testAnIndexOfAnotherModelOrDimensionIsRefused() throws {
        let (_, url) = try savedIVF()
        XCTAssertThrowsError(try IndexFile.load(from: url, expectedFingerprint: "model-b:456")) {
            XCTAssertEqual($0 as? IndexError, .fingerprintMismatch(path: url.path, expected: "model-b:456", found: "model-a:123"))
        }
        assertRefused(url, dimension: 128, "index \(url.path): field 'dimension' is 4 but 128 is expected")
    }

    func testMissingTruncatedAndMismatchedFilesAreRefused() throws {
        let (_, url) = try savedIVF()
        let tensors = folder.appendingPathComponent("faces.safetensors")
        assertRefused(folder.appendingPathComponent("absent.json"), "index file \(folder.path)/absent.json does not exist")
        let bytes = try Data(contentsOf: tensors)
        try bytes.prefix(bytes.count - 10).write(to: tensors)
        assertRefused(url, "index \(tensors.path): field 'data' cannot be read")
        try FileManager.default.removeItem(at: tensors)
        assertRefused(url, "index file \(tensors.path) does not exist")
        // A safetensors file from another save (another fingerprint) beside this sidecar.
        let other = folder.appendingPathComponent("other.json")
        try IndexFile.save(FlatIndex(dimension: 4), fingerprint: "model-z", to: other)
        try FileManager.default.copyItem(at: folder.appendingPathComponent("other.safetensors"), to: tensors)
        assertRefused(url, "index \(tensors.path): field 'fingerprint' is \"model-z\" but the sidecar faces.json says")
    }

    func testDamagedSidecarsAreRefusedNamingTheField() throws {
        let (_, url) = try savedIVF()
        let pristine = try Data(contentsOf: url)
        let restore = { try pristine.write(to: url) }
        try Data("{\"kind\": ".utf8).write(to: url)
        assertRefused(url, "index \(url.path) is not valid JSON")
        try restore(); try edit(url, "labels", ["only one"])
        assertRefused(url, "field 'labels' holds 1 entries but field 'count' is 60")
        try restore(); try edit(url, "listSizes", [60, 5, 0, 0, 0])
        assertRefused(url, "field 'listSizes' adds up to 65 items but field 'count' is 60 (list offsets out of range)")
        try restore(); try edit(url, "listSizes", [70, -10, 0, 0, 0])
        assertRefused(url, "field 'listSizes' entry 1 is negative (-10)")
        try restore(); try edit(url, "listSizes", [60, 0, 0, 0])
        assertRefused(url, "field 'centres' has shape [5, 4] but the sidecar faces.json describes [4, 4]")
        try restore(); try edit(url, "metric", "cosine")
        assertRefused(url, "field 'metric' is \"cosine\"; it must be \"inner_product\" or \"l2\"")
        try restore(); try edit(url, "formatVersion", 2)
        assertRefused(url, "field 'formatVersion' is 2 but this version of Strata reads format 1")
        try restore(); try edit(url, "dimension", "four")
        assertRefused(url, "field 'dimension' is not a whole number")
        try restore(); try edit(url, "fingerprint", nil)
        assertRefused(url, "index \(url.path): field 'fingerprint' is missing")
    }
}
