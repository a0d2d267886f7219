import Foundation
import StrataCore
@testable import StrataData
import XCTest

final class DataLoaderTests: XCTestCase {
    private let data = Fixtures.dataset(count: 10, classes: 3, height: 2, width: 2)

    func testLastPartialBatchKeptOrDropped() {
        let kept = DataLoader(data, batchSize: 4, shuffle: false)
        XCTAssertEqual(kept.batchCount, 3)
        XCTAssertEqual(Array(kept).map(\.count), [4, 4, 2])
        let dropped = DataLoader(data, batchSize: 4, shuffle: false, dropLast: true)
        XCTAssertEqual(dropped.batchCount, 2)
        XCTAssertEqual(Array(dropped).map(\.count), [4, 4])
        XCTAssertEqual(Array(kept).flatMap(\.indices), Array(0..<10), "no shuffle: dataset order")
    }

    func testEachEpochIsAFreshPermutationFixedBySeed() {
        let loader = DataLoader(data, batchSize: 3, seed: 9)
        let epoch0 = Array(loader).flatMap(\.indices)
        let epoch1 = Array(loader).flatMap(\.indices)
        XCTAssertEqual(loader.nextEpoch, 2)
        XCTAssertEqual(epoch0.sorted(), Array(0..<10))
        XCTAssertEqual(epoch1.sorted(), Array(0..<10))
        XCTAssertNotEqual(epoch0, epoch1)
        let twin = DataLoader(data, batchSize: 3, seed: 9)
        XCTAssertEqual(Array(twin).flatMap(\.indices), epoch0)
        XCTAssertEqual(twin.batches(forEpoch: 1).flatMap(\.indices), epoch1)
        XCTAssertEqual(twin.batch(1, ofEpoch: 1).indices, Array(epoch1[3..<6]))
        XCTAssertNotEqual(Array(DataLoader(data, batchSize: 3, seed: 10)).flatMap(\.indices), epoch0)
        let resumed = DataLoader(data, batchSize: 3, seed: 9, startEpoch: 1)
        XCTAssertEqual(Array(resumed).flatMap(\.indices), epoch1)
    }

    func testImagesAndLabelsHaveTheDocumentedShapesAndValues() {
        let loader = DataLoader(data, batchSize: 4, shuffle: false)
        let batch = loader.batch(0, ofEpoch: 0)
        XCTAssertEqual(batch.images.shape, [4, 1, 2, 2])
        XCTAssertEqual(batch.labels.shape, [4])
        XCTAssertEqual(batch.labels.scalars, [0, 1, 2, 0])
        XCTAssertEqual(batch.classIndices, [0, 1, 2, 0])
        XCTAssertEqual(batch.images.scalars, data.images[0..<16].map { Float($0) / 255 })

        let oneHot = DataLoader(data, batchSize: 4, shuffle: false, oneHot: true).batch(0, ofEpoch: 0)
        XCTAssertEqual(oneHot.labels.shape, [4, 3])
        XCTAssertEqual(oneHot.labels.scalars, [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0])
    }

    func testNormalizations() {
        let standardized = DataLoader(data, batchSize: 2, shuffle: false,
                                      normalization: .standardized(mean: 0.5, std: 0.25)).batch(0, ofEpoch: 0)
        let expected = data.images[0..<8].map { (Float($0) / 255 - 0.5) / 0.25 }
        for (a, b) in zip(standardized.images.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        let raw = DataLoader(data, batchSize: 2, shuffle: false, normalization: .raw).batch(0, ofEpoch: 0)
        XCTAssertEqual(raw.images.scalars, data.images[0..<8].map { Float($0) })
        // Standardizing by the dataset's own statistics gives mean 0, std 1 over the whole set.
        let all = DataLoader(data, batchSize: 10, normalization: .standardized(by: data)).batch(0, ofEpoch: 0).images.scalars
        let mean = all.reduce(0, +) / Float(all.count)
        let variance = all.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(all.count)
        XCTAssertEqual(mean, 0, accuracy: 1e-4)
        XCTAssertEqual(variance, 1, accuracy: 1e-3)
    }

    func testAugmentationIsSeededAndIndependentOfThreadsAndPrefetch() {
        let big = Fixtures.dataset(count: 100, classes: 10, height: 8, width: 8)
        let augmentations: [any ImageAugmentation] = [RandomAffine(rotationDegrees: 20, translation: 0.1), RandomErasing()]
        func epoch(_ loader: DataLoader) -> [Float] { loader.batches(forEpoch: 2).flatMap { $0.images.scalars } }
        let reference = epoch(DataLoader(big, batchSize: 32, seed: 4, augmentations: augmentations, threads: 1))
        XCTAssertEqual(epoch(DataLoader(big, batchSize: 32, seed: 4, augmentations: augmentations, threads: 2)), reference)
        XCTAssertEqual(epoch(DataLoader(big, batchSize: 32, seed: 4, augmentations: augmentations, prefetch: true)), reference)
        XCTAssertNotEqual(epoch(DataLoader(big, batchSize: 32, seed: 5, augmentations: augmentations)), reference)
        let plain = epoch(DataLoader(big, batchSize: 32, seed: 4))
        XCTAssertNotEqual(plain, reference, "augmentation changes the images")
        // The order does not depend on the augmentations.
        XCTAssertEqual(DataLoader(big, batchSize: 32, seed: 4).order(forEpoch: 2),
                       DataLoader(big, batchSize: 32, seed: 4, augmentations: augmentations).order(forEpoch: 2))
    }

    func testPrefetchGivesTheSameBatches() {
        let plain = DataLoader(data, batchSize: 3, seed: 1)
        let prefetching = DataLoader(data, batchSize: 3, seed: 1, prefetch: true)
        for (a, b) in zip(plain, prefetching) {
            XCTAssertEqual(a.indices, b.indices)
            XCTAssertEqual(a.images.scalars, b.images.scalars)
        }
        // Leaving an epoch early is fine: the pending batch is simply dropped.
        for batch in DataLoader(data, batchSize: 2, prefetch: true) { _ = batch; break }
    }
}
