import Foundation
@testable import StrataData
import XCTest

final class DatasetSplitTests: XCTestCase {
    func testRandomSplitIsAPartitionFixedBySeed() {
        let (first, second) = DatasetSplit.randomIndices(count: 101, fraction: 0.7, seed: 3)
        XCTAssertEqual(first.count, 71)
        XCTAssertEqual(second.count, 30)
        XCTAssertEqual(Set(first + second), Set(0..<101))
        XCTAssertTrue(Set(first).isDisjoint(with: second))
        XCTAssertEqual(first, first.sorted())
        let again = DatasetSplit.randomIndices(count: 101, fraction: 0.7, seed: 3)
        XCTAssertEqual(again.first, first)
        XCTAssertNotEqual(DatasetSplit.randomIndices(count: 101, fraction: 0.7, seed: 4).first, first)
    }

    func testStratifiedSplitKeepsClassProportions() {
        // Unbalanced classes: 100, 50 and 30 images.
        let labels = [Int](repeating: 0, count: 100) + [Int](repeating: 1, count: 50) + [Int](repeating: 2, count: 30)
        let data = try! Dataset(name: "uneven", images: [UInt8](repeating: 0, count: labels.count), labels: labels,
                                height: 1, width: 1, classNames: ["a", "b", "c"])
        let (train, test) = data.stratifiedSplit(fraction: 0.7, seed: 11)
        XCTAssertEqual(train.classCounts(), [70, 35, 21])
        XCTAssertEqual(test.classCounts(), [30, 15, 9])
        let again = data.stratifiedSplit(fraction: 0.7, seed: 11)
        XCTAssertEqual(again.first.labels, train.labels)
        let (first, _) = DatasetSplit.stratifiedIndices(labels: labels, fraction: 0.7, seed: 11)
        XCTAssertNotEqual(DatasetSplit.stratifiedIndices(labels: labels, fraction: 0.7, seed: 12).first, first)
    }

    func testValidationSplitIsHeldOutOfTraining() {
        let data = Fixtures.dataset(count: 200, classes: 10)
        let (training, validation) = data.validationSplit(fraction: 0.1, seed: 5)
        XCTAssertEqual(validation.count, 20)
        XCTAssertEqual(training.count, 180)
        XCTAssertEqual(validation.classCounts(), [Int](repeating: 2, count: 10))
        XCTAssertEqual(validation.name, "fixture/validation")
        // No image is in both: the fixture's pixels encode the index.
        let trainingImages = Set((0..<training.count).map { Array(training.image(at: $0)) })
        XCTAssertTrue((0..<validation.count).allSatisfy { !trainingImages.contains(Array(validation.image(at: $0))) })
        let random = data.validationSplit(fraction: 0.25, seed: 5, stratified: false)
        XCTAssertEqual(random.validation.count, 50)
    }

    func testSubsetAndStatistics() {
        let data = Fixtures.dataset(count: 5, classes: 2, height: 2, width: 2)
        let picked = data.subset([4, 0, 4])
        XCTAssertEqual(picked.labels, [0, 0, 0])
        XCTAssertEqual(Array(picked.image(at: 0)), Array(data.image(at: 4)))
        XCTAssertEqual(Array(picked.image(at: 2)), Array(data.image(at: 4)))
        let flat = try! Dataset(name: "flat", images: [0, 255, 0, 255], labels: [0], height: 2, width: 2, classNames: ["x"])
        let statistics = flat.channelStatistics()
        XCTAssertEqual(statistics.mean[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(statistics.std[0], 0.5, accuracy: 1e-6)
    }
}
