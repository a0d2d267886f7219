import Foundation
import StrataTestSupport
import XCTest
@testable import StrataRetrieval

/// Seeded mutation tests of saved indexes: the JSON sidecar and the safetensors file beside it, each mutated
/// while the other stays valid. Every index that loads is searched; every refusal names the index (see
/// `MutationFuzzer`).
final class IndexFileMutationTests: XCTestCase {
    /// The bytes of a flat and an IVF index saved as `faces.json` + `faces.safetensors`: (sidecar, tensors) each.
    func savedIndexes() throws -> [(sidecar: [UInt8], tensors: [UInt8])] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-index-seed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let vectors = RetrievalTestData.unit(RetrievalTestData.normal(count: 12, dimension: 4, seed: 5))
        var flat = FlatIndex(dimension: 4, metric: .l2)
        try flat.add(vectors, items: RetrievalTestData.items(count: 12))
        var ivf = try IVFIndex.train(on: vectors, listCount: 3, options: KMeansOptions(clusterCount: 3, seed: 2))
        try ivf.add(vectors, items: RetrievalTestData.items(count: 12))
        let url = folder.appendingPathComponent("faces.json")
        func read() throws -> (sidecar: [UInt8], tensors: [UInt8]) {
            ([UInt8](try Data(contentsOf: url)), [UInt8](try Data(contentsOf: IndexFile.tensorsURL(for: url))))
        }
        try IndexFile.save(flat, fingerprint: "model-a:123", to: url)
        let flatFiles = try read()
        try IndexFile.save(ivf, fingerprint: "model-a:123", to: url)
        return [flatFiles, try read()]
    }

    /// Loads the index at `url` and searches it for one query.
    func loadAndSearch(_ url: URL) throws {
        switch try IndexFile.load(from: url, expectedFingerprint: "model-a:123") {
        case let .flat(index):
            _ = try index.search([Float](repeating: 0.5, count: index.dimension), k: 3)
        case let .ivf(index):
            _ = try index.search([Float](repeating: 0.5, count: index.dimension), k: 3, nprobe: 2)
        }
    }

    func testIndexSidecarsSurviveMutations() throws {
        for (kind, files) in zip(["flat", "ivf"], try savedIndexes()) {
            MutationFuzzer.run("index-sidecar-\(kind)", fileName: "faces.json", seeds: [files.sidecar], count: 3000,
                               seed: kind == "flat" ? 31 : 32, companions: ["faces.safetensors": files.tensors],
                               errorNames: "faces.", parse: loadAndSearch)
        }
    }

    func testIndexVectorFilesSurviveMutations() throws {
        let lengthField: ([UInt8]) -> [HeaderField] = { _ in [HeaderField(offset: 0, width: 8, bigEndian: false)] }
        for (kind, files) in zip(["flat", "ivf"], try savedIndexes()) {
            MutationFuzzer.run("index-tensors-\(kind)", fileName: "faces.safetensors", seeds: [files.tensors], count: 2000,
                               seed: kind == "flat" ? 33 : 34, fields: lengthField, companions: ["faces.json": files.sidecar],
                               errorNames: "faces.") { url in
                try loadAndSearch(url.deletingPathExtension().appendingPathExtension("json"))
            }
        }
    }

    /// Found by reading the code for these tests: list sizes near `Int.max` overflowed their sum and trapped.
    func testListSizesThatOverflowTheirSumAreRefused() throws {
        let files = try savedIndexes()[1]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-index-overflow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("faces.json")
        try Data(files.tensors).write(to: IndexFile.tensorsURL(for: url))
        var sidecar = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(files.sidecar)) as? [String: Any])
        sidecar["listSizes"] = [4_611_686_018_427_387_904, 4_611_686_018_427_387_904, 12]
        try JSONSerialization.data(withJSONObject: sidecar).write(to: url)
        XCTAssertThrowsError(try IndexFile.load(from: url, expectedFingerprint: "model-a:123")) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
            XCTAssertTrue("\(error)".contains("listSizes"), "\(error)")
            XCTAssertTrue("\(error)".contains("4611686018427387904"), "\(error)")
        }
    }
}
