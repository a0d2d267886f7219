import Foundation
import StrataCore
import StrataData
import XCTest

/// Data-parallel sharding: the parts of every global batch, put side by side in rank order, are the
/// batch one process loads at `batchSize × ranks`, the augmented images included.
final class DataShardTests: XCTestCase {
    func testPartsOfEachGlobalBatchMakeTheWholeBatchAugmentedAlike() {
        let data = Fixtures.dataset(count: 50, classes: 5, height: 8, width: 8)
        let augmentations: [any ImageAugmentation] = [RandomAffine(rotationDegrees: 20, translation: 0.1), RandomErasing()]
        for ranks in [2, 3] {
            let whole = DataLoader(data, batchSize: 4 * ranks, seed: 7, augmentations: augmentations, threads: 1)
            let parts = (0..<ranks).map {
                DataLoader(data, batchSize: 4, seed: 7, augmentations: augmentations, threads: 1,
                           shard: DataShard(index: $0, of: ranks))
            }
            XCTAssertTrue(parts.allSatisfy { $0.batchCount == parts[0].batchCount }, "every rank takes the same number of steps")
            // A last global batch too small to give each rank an image is left out (50 = 4 × 12 + 2 for 3 ranks).
            XCTAssertEqual(parts[0].batchCount, ranks == 2 ? whole.batchCount : whole.batchCount - 1)
            for number in 0..<parts[0].batchCount {
                let full = whole.batch(number, ofEpoch: 3)
                let pieces = parts.map { $0.batch(number, ofEpoch: 3) }
                XCTAssertEqual(pieces.flatMap(\.indices), full.indices, "batch \(number) of \(ranks) ranks")
                XCTAssertEqual(pieces.flatMap { $0.images.scalars }, full.images.scalars, "the same augmentation draws")
                XCTAssertEqual(pieces.flatMap { $0.labels.scalars }, full.labels.scalars)
            }
        }
    }

    func testTheLastGlobalBatchIsSplitEvenlyOrDroppedWhenTooSmall() {
        let shard = DataShard(index: 1, of: 3)
        // 50 images, 4 per part: 4 global batches of 12, then 2 left, fewer than the 3 parts.
        XCTAssertEqual(shard.batchCount(perPart: 4, total: 50, dropLast: false), 4)
        // 44 images: 3 of 12, then 8 split 3, 3, 2.
        XCTAssertEqual(shard.batchCount(perPart: 4, total: 44, dropLast: false), 4)
        XCTAssertEqual((0..<3).map { DataShard(index: $0, of: 3).positions(ofBatch: 3, perPart: 4, total: 44) },
                       [36..<39, 39..<42, 42..<44])
        XCTAssertEqual(shard.batchCount(perPart: 4, total: 44, dropLast: true), 3)
        XCTAssertEqual(DataShard.whole.positions(ofBatch: 2, perPart: 4, total: 10), 8..<10, "one process: as before")
        XCTAssertEqual(DataShard.whole.batchCount(perPart: 4, total: 10, dropLast: false), 3)
    }
}
