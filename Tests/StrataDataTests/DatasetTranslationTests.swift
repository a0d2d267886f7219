import StrataCore
import StrataData
import XCTest

/// `Dataset.translated(x:y:mirrored:)` (test-time augmentation's views) against the float path it must
/// equal: `RandomHorizontalFlip(probability: 1)`, then an integer `AffineTransform` translation, per image.
final class DatasetTranslationTests: XCTestCase {
    /// Three 2-channel 5×6 images of distinct bytes.
    func makeDataset() throws -> Dataset {
        let images: [UInt8] = (0..<180).map { (index: Int) -> UInt8 in UInt8((index * 37 + 11) % 251) }
        return try Dataset(name: "t", images: images, labels: [0, 1, 0], channels: 2, height: 5, width: 6,
                           classNames: ["a", "b"])
    }

    func testShiftsAndMirrorsEqualTheFloatWarp() throws {
        let dataset = try makeDataset()
        var generator = RandomGenerator(seed: 1)
        for (x, y) in [(1, 0), (-1, 0), (0, 1), (0, -1), (2, -1), (-3, 2)] {
            for mirrored in [false, true] {
                let moved = dataset.translated(x: x, y: y, mirrored: mirrored)
                XCTAssertEqual(moved.labels, dataset.labels)
                for index in 0..<dataset.count {
                    var image = FloatImage(bytes: dataset.image(at: index), channels: 2, height: 5, width: 6)
                    if mirrored { RandomHorizontalFlip(probability: 1).apply(to: &image, using: &generator) }
                    image = AffineTransform(translationX: Float(x), translationY: Float(y)).warp(image)
                    XCTAssertEqual(Array(moved.image(at: index)), image.bytes(), "x \(x), y \(y), mirrored \(mirrored)")
                }
            }
        }
    }

    func testNoMoveIsTheDatasetAndAShiftPastTheEdgeIsBlack() throws {
        let dataset = try makeDataset()
        XCTAssertEqual(dataset.translated(x: 0, y: 0).images, dataset.images)
        XCTAssertEqual(dataset.translated(x: 0, y: 0, mirrored: true).translated(x: 0, y: 0, mirrored: true).images,
                       dataset.images)
        XCTAssertTrue(dataset.translated(x: 6, y: 0).images.allSatisfy { $0 == 0 })
        XCTAssertTrue(dataset.translated(x: 0, y: -9).images.allSatisfy { $0 == 0 })
    }
}
