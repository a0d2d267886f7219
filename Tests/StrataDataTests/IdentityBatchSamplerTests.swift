import XCTest
import StrataCore
@testable import StrataData

final class IdentityBatchSamplerTests: XCTestCase {
    /// 5 labels; label 4 has only one image, label 3 two.
    private let labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4]

    func testBatchesHoldPIdentitiesOfKImagesEach() throws {
        var sampler = try IdentityBatchSampler(labels: labels, identitiesPerBatch: 3, imagesPerIdentity: 3, seed: 9)
        for _ in 0..<50 {
            let rows = sampler.nextRows()
            XCTAssertEqual(rows.count, 9)
            let groups = stride(from: 0, to: 9, by: 3).map { Array(rows[$0..<($0 + 3)]) }
            let groupLabels = groups.map { Set($0.map { labels[$0] }) }
            for set in groupLabels { XCTAssertEqual(set.count, 1, "one label per group: \(rows)") }
            XCTAssertEqual(Set(groupLabels.map { $0.first! }).count, 3, "three distinct labels: \(rows)")
            for group in groups where (sampler.rowsByLabel[labels[group[0]]]?.count ?? 0) >= 3 {
                XCTAssertEqual(Set(group).count, 3, "no repeats when the label has enough images: \(group)")
            }
        }
    }

    func testEveryLabelIsDrawnAndTheSameSeedRepeats() throws {
        var a = try IdentityBatchSampler(labels: labels, identitiesPerBatch: 2, imagesPerIdentity: 2, seed: 4)
        var b = try IdentityBatchSampler(labels: labels, identitiesPerBatch: 2, imagesPerIdentity: 2, seed: 4)
        var seen = Set<Int>()
        for _ in 0..<100 {
            let rows = a.nextRows()
            XCTAssertEqual(rows, b.nextRows())
            for row in rows { seen.insert(labels[row]) }
        }
        XCTAssertEqual(seen, [0, 1, 2, 3, 4])
    }

    func testRestoredStateContinuesTheStream() throws {
        var a = try IdentityBatchSampler(labels: labels, identitiesPerBatch: 2, imagesPerIdentity: 2, seed: 4)
        _ = a.nextRows()
        var b = try IdentityBatchSampler(labels: labels, identitiesPerBatch: 2, imagesPerIdentity: 2, seed: 99)
        XCTAssertTrue(b.restore(generatorState: a.generatorState))
        XCTAssertEqual(a.nextRows(), b.nextRows())
        XCTAssertFalse(b.restore(generatorState: [1]))
    }

    func testBatchTensorsMatchTheRows() throws {
        let dataset = try Dataset(name: "tiny", images: (0..<labels.count).map { UInt8($0 * 10) }, labels: labels,
                              height: 1, width: 1, classNames: ["a", "b", "c", "d", "e"])
        var sampler = try IdentityBatchSampler(labels: labels, identitiesPerBatch: 2, imagesPerIdentity: 2, seed: 1)
        let batch = sampler.batch(of: dataset)
        XCTAssertEqual(batch.images.shape, [4, 1, 1, 1])
        XCTAssertEqual(batch.labels.scalars, batch.rows.map { Float(labels[$0]) })
        XCTAssertEqual(batch.images.scalars, batch.rows.map { Float($0 * 10) / 255 })
    }

    func testRefusesTooFewLabelsOrTooSmallPK() {
        XCTAssertThrowsError(try IdentityBatchSampler(labels: [0, 0, 1], identitiesPerBatch: 3, imagesPerIdentity: 2, seed: 0)) {
            XCTAssertTrue("\($0)".contains("only 2 distinct labels"), "\($0)")
        }
        XCTAssertThrowsError(try IdentityBatchSampler(labels: labels, identitiesPerBatch: 1, imagesPerIdentity: 2, seed: 0))
        XCTAssertThrowsError(try IdentityBatchSampler(labels: labels, identitiesPerBatch: 2, imagesPerIdentity: 1, seed: 0))
    }
}
