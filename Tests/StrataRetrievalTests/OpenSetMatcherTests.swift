import Foundation
import StrataTestSupport
import XCTest
@testable import StrataRetrieval

final class OpenSetMatcherTests: XCTestCase {
    /// The unit vector at `degrees`.
    func unit(_ degrees: Double) -> [Float] {
        [Float(cos(degrees * .pi / 180)), Float(sin(degrees * .pi / 180))]
    }

    /// Alice's photos at 0° and 20°, Bob's at 90° and 70°; the centres are the means of each person's
    /// photos, not rescaled (length cos 10°, at 10° and 80°).
    func office() throws -> IVFIndex {
        let photos = [unit(0), unit(20), unit(90), unit(70)]
        let centres = VectorSet(dimension: 2, values: zip(photos[0], photos[1]).map { ($0 + $1) / 2 }
                                    + zip(photos[2], photos[3]).map { ($0 + $1) / 2 })
        var index = IVFIndex(centres: centres)
        try index.add(VectorSet(dimension: 2, values: photos.flatMap { $0 }),
                      items: [IndexItem(id: 0, label: "alice", path: "a0.pgm"), IndexItem(id: 1, label: "alice", path: "a20.pgm"),
                              IndexItem(id: 2, label: "bob", path: "b90.pgm"), IndexItem(id: 3, label: "bob", path: "b70.pgm")])
        return index
    }

    func testNearestItemAnswersThePersonOrUnknown() throws {
        let index = try office()
        let matcher = try OpenSetMatcher(index: index, method: .nearestItem(threshold: 0.95), nprobe: 2, neighbourCount: 3)
        // 15°: Alice's 20° photo at cos 5°, then her 0° photo at cos 15°, then Bob's 70° photo at cos 55°.
        let match = try matcher.match(unit(15))
        XCTAssertEqual(match.label, "alice")
        XCTAssertEqual(match.item?.path, "a20.pgm")
        XCTAssertEqual(match.similarity, Float(cos(5 * Double.pi / 180)), accuracy: 1e-6)
        XCTAssertEqual(match.cluster, 0)
        XCTAssertEqual(match.clusterMembers.map(\.path), ["a0.pgm", "a20.pgm"])
        XCTAssertEqual(match.neighbours.map(\.item.id), [1, 0, 3])
        assertClose(match.neighbours.map(\.score), [5.0, 15, 55].map { Float(cos($0 * Double.pi / 180)) }, atol: 1e-6)
        // 50°: Bob's 70° photo at cos 20° = 0.940, at or below 0.95: unknown, though Bob ranks first.
        let stranger = try matcher.match(unit(50))
        XCTAssertNil(stranger.label)
        XCTAssertTrue(stranger.isUnknown)
        XCTAssertEqual(stranger.bestLabel, "bob")
        XCTAssertEqual(stranger.similarity, Float(cos(20 * Double.pi / 180)), accuracy: 1e-6)
    }

    /// At 40° the nearest photo has cosine cos 20° = 0.940, but the centre method scores the inner
    /// product with Alice's centre: cos 10° · cos 30° = 0.853 (Bob's: cos 10° · cos 40° = 0.754).
    func testNearestCentreScoresTheUnrescaledMeans() throws {
        let index = try office()
        let matcher = try OpenSetMatcher(index: index, method: .nearestCentre(), nprobe: 1)
        XCTAssertEqual(matcher.method, .nearestCentre(threshold: 0.8))
        let match = try matcher.match(unit(40))
        XCTAssertEqual(match.label, "alice")
        XCTAssertEqual(match.similarity, Float(cos(10 * Double.pi / 180) * cos(30 * Double.pi / 180)), accuracy: 1e-6)
        XCTAssertEqual(match.cluster, 0)
        XCTAssertEqual(match.clusterMembers.map(\.path), ["a0.pgm", "a20.pgm"])
        XCTAssertEqual(match.item?.path, "a20.pgm")
        let strict = try OpenSetMatcher(index: index, method: .nearestCentre(threshold: 0.9))
        let batch = try strict.match(VectorSet(dimension: 2, values: unit(40) + unit(85)))
        XCTAssertNil(batch[0].label)
        XCTAssertEqual(batch[0].bestLabel, "alice")
        // 85°: cos 10° · cos 5° = 0.981 with Bob's centre.
        XCTAssertEqual(batch[1].label, "bob")
    }

    func testMostCommonLabelBreaksTiesAlphabetically() {
        XCTAssertEqual(OpenSetMatcher.mostCommonLabel(["b", "a", "b", "a", "c"]), "a")
        XCTAssertEqual(OpenSetMatcher.mostCommonLabel(["c", "b", "c"]), "c")
        XCTAssertNil(OpenSetMatcher.mostCommonLabel([]))
    }

    func testAnL2IndexOrAWrongDimensionIsRefused() throws {
        XCTAssertThrowsError(try OpenSetMatcher(index: IVFIndex(centres: VectorSet(dimension: 2, values: [1, 0]), metric: .l2),
                                                method: .nearestCentre())) {
            XCTAssertEqual(($0 as? IndexError)?.description, "parameter 'index.metric' is l2; matching by cosine similarity "
                + "needs an inner_product index of unit-length embeddings")
        }
        let matcher = try OpenSetMatcher(index: try office(), method: .nearestItem(threshold: 0.5))
        XCTAssertThrowsError(try matcher.match([1, 0, 0])) {
            XCTAssertEqual($0 as? IndexError, .dimensionMismatch(context: "OpenSetMatcher.match", expected: 2, found: 3))
        }
    }
}
