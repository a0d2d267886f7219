import Foundation
import StrataCore
@testable import StrataData
import XCTest

/// Point 7: random pairs with their label order as the target.
final class PairSamplerTests: XCTestCase {
    private let labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3, 7]

    func testTargetsFollowTheLabelOrder() throws {
        var sampler = try PairSampler(labels: labels, seed: 1)
        XCTAssertEqual(sampler.target(0, 9), 1, "0 ranks above 9 by default")
        XCTAssertEqual(sampler.target(9, 0), 0)
        XCTAssertEqual(sampler.target(3, 3), 0.5)
        var sawEqual = false
        for pair in sampler.pairs(count: 2000) {
            XCTAssertNotEqual(pair.first, pair.second)
            let (a, b) = (labels[pair.first], labels[pair.second])
            XCTAssertEqual(pair.target, a < b ? 1 : (a > b ? 0 : 0.5))
            sawEqual = sawEqual || a == b
        }
        XCTAssertTrue(sawEqual)
    }

    func testCustomOrderAndExcludingEqualLabels() throws {
        var sampler = try PairSampler(labels: labels, order: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], seed: 2, excludeEqualLabels: true)
        XCTAssertEqual(sampler.target(9, 0), 1)
        for pair in sampler.pairs(count: 2000) {
            let (a, b) = (labels[pair.first], labels[pair.second])
            XCTAssertNotEqual(a, b)
            XCTAssertEqual(pair.target, a > b ? 1 : 0)
        }
    }

    func testSeededAndBatched() throws {
        var one = try PairSampler(labels: labels, seed: 5)
        var two = try PairSampler(labels: labels, seed: 5)
        var other = try PairSampler(labels: labels, seed: 6)
        let pairs = one.pairs(count: 50)
        XCTAssertEqual(two.pairs(count: 50), pairs)
        XCTAssertNotEqual(other.pairs(count: 50), pairs)

        let data = Fixtures.dataset(count: 13, classes: 10, height: 3, width: 3)
        var sampler = try PairSampler(labels: data.labels, seed: 5)
        let batch = sampler.batch(of: data, count: 6)
        XCTAssertEqual(batch.first.shape, [6, 1, 3, 3])
        XCTAssertEqual(batch.second.shape, [6, 1, 3, 3])
        XCTAssertEqual(batch.targets.shape, [6])
        var replay = try PairSampler(labels: data.labels, seed: 5)
        let drawn = replay.pairs(count: 6)
        XCTAssertEqual(batch.targets.scalars, drawn.map(\.target))
        XCTAssertEqual(Array(batch.first.scalars[0..<9]), data.image(at: drawn[0].first).map { Float($0) / 255 })
    }

    func testAugmentedBatchesDrawPerStepAndPosition() throws {
        let data = Fixtures.dataset(count: 20, classes: 4, height: 8, width: 8)
        let affine = [RandomAffine(rotationDegrees: 20, translation: 0.2, scale: 0.8...1.2, shearDegrees: 10)]
        func batch(step: Int) throws -> (first: Tensor, second: Tensor, targets: Tensor) {
            var sampler = try PairSampler(labels: data.labels, seed: 3)
            return sampler.batch(of: data, count: 5, augmentations: affine, seed: 9, step: step)
        }
        let one = try batch(step: 4), again = try batch(step: 4), later = try batch(step: 5)
        XCTAssertEqual(one.first.scalars, again.first.scalars, "the same seed and step give the same images")
        XCTAssertEqual(one.second.scalars, again.second.scalars)
        XCTAssertEqual(one.targets.scalars, later.targets.scalars, "the pairs do not depend on the step")
        XCTAssertNotEqual(one.first.scalars, later.first.scalars, "another step draws other transforms")
        var plain = try PairSampler(labels: data.labels, seed: 3)
        XCTAssertNotEqual(plain.batch(of: data, count: 5).first.scalars, one.first.scalars, "the images are augmented")
    }

    func testImpossibleRequestsAreRefused() {
        assertDataError(try PairSampler(labels: [4, 4, 4], seed: 1, excludeEqualLabels: true),
                        contains: ["unequal labels", "every image has label 4"])
        assertDataError(try PairSampler(labels: [1, 2, 5], order: [1, 2], seed: 1), contains: ["label 5 is not in the order"])
        assertDataError(try PairSampler(labels: [1], seed: 1), contains: ["at least two images"])
    }
}
