import XCTest
import StrataCore
@testable import StrataData

final class FaceAugmentationTests: XCTestCase {
    func testFlipMirrorsEveryRowOfEveryChannel() {
        // (2, 2, 3): two channels, two rows of three.
        var image = FloatImage(pixels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], channels: 2, height: 2, width: 3)
        var generator = RandomGenerator(seed: 1)
        RandomHorizontalFlip(probability: 1).apply(to: &image, using: &generator)
        XCTAssertEqual(image.pixels, [3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10])
        RandomHorizontalFlip(probability: 0).apply(to: &image, using: &generator)
        XCTAssertEqual(image.pixels, [3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10])
    }

    func testFlipHappensAboutHalfTheTime() {
        var generator = RandomGenerator(seed: 3)
        var flips = 0
        for _ in 0..<2000 {
            var image = FloatImage(pixels: [0, 1], height: 1, width: 2)
            RandomHorizontalFlip().apply(to: &image, using: &generator)
            if image.pixels == [1, 0] { flips += 1 }
        }
        XCTAssertEqual(Double(flips) / 2000, 0.5, accuracy: 0.05)
    }

    func testBrightnessAndContrastFollowTheFormula() {
        let original: [Float] = [0.1, 0.3, 0.5, 0.9]
        var image = FloatImage(pixels: original, height: 2, width: 2)
        let seed: UInt64 = 11
        var generator = RandomGenerator(seed: seed)
        RandomBrightnessContrast(brightness: 0.3, contrast: 0.4).apply(to: &image, using: &generator)
        // The same two draws, by hand.
        var draws = RandomGenerator(seed: seed)
        let b = 0.7 + 0.6 * draws.nextUniform(), c = 0.6 + 0.8 * draws.nextUniform()
        let bright = original.map { min(max($0 * b, 0), 1) }
        let mean = bright.reduce(0, +) / 4
        let expected = bright.map { min(max(mean + c * ($0 - mean), 0), 1) }
        for (got, want) in zip(image.pixels, expected) { XCTAssertEqual(got, want, accuracy: 1e-6) }
        XCTAssertNotEqual(image.pixels, original)
        // It consumed exactly two values.
        XCTAssertEqual(generator.next(), draws.next())
    }

    func testZeroJitterLeavesTheImageAndStaysInRange() {
        var image = FloatImage(pixels: [0, 0.25, 1, 0.5], height: 2, width: 2)
        var generator = RandomGenerator(seed: 5)
        RandomBrightnessContrast(brightness: 0, contrast: 0).apply(to: &image, using: &generator)
        XCTAssertEqual(image.pixels, [0, 0.25, 1, 0.5])
        for _ in 0..<100 {
            RandomBrightnessContrast(brightness: 1, contrast: 1).apply(to: &image, using: &generator)
            XCTAssertTrue(image.pixels.allSatisfy { (0...1).contains($0) })
        }
    }
}
