import Foundation
import StrataCore
@testable import StrataData
import XCTest

/// Point 6: affine, elastic, erasing and deskew, on small synthetic images.
final class AugmentationTests: XCTestCase {
    /// A 9×9 image with distinct values everywhere.
    private let image = FloatImage(pixels: (0..<81).map { Float($0 % 13) / 13 + 0.01 }, height: 9, width: 9)

    private func dot(atX x: Int, y: Int, size: Int = 9) -> FloatImage {
        var image = FloatImage(height: size, width: size)
        image[0, y, x] = 1
        return image
    }

    func testIdentityParametersGiveTheInputBackExactly() {
        XCTAssertEqual(AffineTransform.identity.warp(image), image)
        XCTAssertEqual(AffineTransform(rotationDegrees: 0, scale: 1, shearDegrees: 0).warp(image), image)
        var generator = RandomGenerator(seed: 1)
        for augmentation in [RandomAffine(), ElasticDistortion(alpha: 0, sigma: 3), RandomErasing(probability: 0)]
            as [any ImageAugmentation] {
            var copy = image
            augmentation.apply(to: &copy, using: &generator)
            XCTAssertEqual(copy, image, "\(augmentation)")
        }
    }

    func testKnownTranslationMovesAPixelByThatMuch() {
        let moved = AffineTransform(translationX: 3, translationY: -2).warp(dot(atX: 2, y: 5))
        XCTAssertEqual(moved[0, 3, 5], 1)
        XCTAssertEqual(moved.pixels.reduce(0, +), 1)
        // Half a pixel: bilinear sampling shares the dot between two pixels.
        let half = AffineTransform(translationX: 0.5).warp(dot(atX: 4, y: 4))
        XCTAssertEqual(half[0, 4, 4], 0.5, accuracy: 1e-6)
        XCTAssertEqual(half[0, 4, 5], 0.5, accuracy: 1e-6)
    }

    func testRotationTurnsAboutTheCentreCounterClockwise() {
        // 90° counter-clockwise on screen: a dot right of the centre goes above it.
        let turned = AffineTransform(rotationDegrees: 90).warp(dot(atX: 7, y: 4))
        XCTAssertEqual(turned[0, 1, 4], 1, accuracy: 1e-5)
        let scaled = AffineTransform(scale: 2).warp(dot(atX: 5, y: 4))
        XCTAssertEqual(scaled[0, 4, 6], 1, accuracy: 1e-5)  // 1 right of centre → 2 right
        let t = AffineTransform(rotationDegrees: 30, scale: 1.2, shearDegrees: 10, translationX: 1, translationY: 2)
        let back = t.inverted.apply(x: 0, y: 0, center: (4, 4))
        let there = t.apply(x: back.x, y: back.y, center: (4, 4))
        XCTAssertEqual(there.x, 0, accuracy: 1e-5)
        XCTAssertEqual(there.y, 0, accuracy: 1e-5)
    }

    func testSameSeedSameOutputDifferentSeedDifferentOutput() {
        let augmentations: [any ImageAugmentation] = [
            RandomAffine(rotationDegrees: 15, translation: 0.1, scale: 0.9...1.1, shearDegrees: 10),
            ElasticDistortion(alpha: 8, sigma: 2), RandomErasing(probability: 1),
        ]
        for augmentation in augmentations {
            func run(_ seed: UInt64) -> FloatImage {
                var copy = image
                var generator = RandomGenerator(seed: seed)
                augmentation.apply(to: &copy, using: &generator)
                return copy
            }
            XCTAssertEqual(run(7), run(7), "\(augmentation)")
            XCTAssertNotEqual(run(7), run(8), "\(augmentation)")
            XCTAssertNotEqual(run(7), image, "\(augmentation)")
        }
    }

    func testRandomErasingCoversTheRequestedArea() {
        let erasing = RandomErasing(probability: 1, area: 0.1...0.2, aspectRatio: 0.5...2, value: -1)
        let canvas = FloatImage(pixels: [Float](repeating: 1, count: 400), height: 20, width: 20)
        for seed in 0..<50 as Range<UInt64> {
            var generator = RandomGenerator(seed: seed)
            var copy = canvas
            erasing.apply(to: &copy, using: &generator)
            let erased = copy.pixels.filter { $0 == -1 }.count
            XCTAssertTrue((30...90).contains(erased), "seed \(seed): \(erased) pixels erased")
        }
        var never = canvas
        var generator = RandomGenerator(seed: 1)
        RandomErasing(probability: 0).apply(to: &never, using: &generator)
        XCTAssertEqual(never, canvas)
    }

    func testElasticDisplacementIsSmoothAndScaledByAlpha() {
        var generator = RandomGenerator(seed: 3)
        let field = ElasticDistortion(alpha: 10, sigma: 4).displacement(height: 28, width: 28, using: &generator).dx
        var generator2 = RandomGenerator(seed: 3)
        let doubled = ElasticDistortion(alpha: 20, sigma: 4).displacement(height: 28, width: 28, using: &generator2).dx
        for (a, b) in zip(field, doubled) { XCTAssertEqual(2 * a, b, accuracy: 1e-4) }
        // Neighbours differ much less than the field varies overall: it is smooth.
        var step: Float = 0
        for y in 0..<28 {
            for x in 0..<27 { step = max(step, abs(field[y * 28 + x + 1] - field[y * 28 + x])) }
        }
        XCTAssertLessThan(step, (field.max()! - field.min()!) / 4)
        XCTAssertEqual(ElasticDistortion(sigma: 2).gaussianKernel().reduce(0, +), 1, accuracy: 1e-5)
    }

    /// A vertical bar sheared so that x moves `slant` pixels per pixel down.
    private func slantedBar(slant: Float, size: Int = 28) -> FloatImage {
        var bar = FloatImage(height: size, width: size)
        for y in 4..<(size - 4) {
            let x = Float(size) / 2 + slant * (Float(y) - Float(size) / 2)
            bar[0, y, Int(x.rounded())] = 1
            bar[0, y, Int(x.rounded()) + 1] = 1
        }
        return bar
    }

    func testDeskewStraightensASlantedBar() {
        let bar = slantedBar(slant: 0.4)
        XCTAssertEqual(Deskew.skew(of: bar), 0.4, accuracy: 0.05)
        let straight = Deskew().deskewed(bar)
        XCTAssertLessThan(abs(Deskew.skew(of: straight)), 0.05)
        // Recentred: the centre of mass moves to the image centre.
        let moments = Deskew.moments(of: straight)
        XCTAssertEqual(moments.centerX, 13.5, accuracy: 0.3)
        XCTAssertEqual(moments.centerY, 13.5, accuracy: 0.3)
        let inPlace = Deskew(recenter: false).deskewed(bar)
        XCTAssertEqual(Deskew.moments(of: inPlace).centerY, Deskew.moments(of: bar).centerY, accuracy: 0.3)
        XCTAssertEqual(Deskew().deskewed(FloatImage(height: 5, width: 5)), FloatImage(height: 5, width: 5))
    }

    func testDeskewingAWholeDataset() throws {
        let bar = slantedBar(slant: -0.3)
        let data = try Dataset(name: "bars", images: bar.bytes() + bar.bytes(), labels: [0, 0], height: 28, width: 28,
                               classNames: ["bar"])
        let aligned = data.deskewed()
        let first = FloatImage(bytes: aligned.image(at: 0), height: 28, width: 28)
        XCTAssertLessThan(abs(Deskew.skew(of: first)), 0.05)
        XCTAssertEqual(Array(aligned.image(at: 0)), Array(aligned.image(at: 1)))
    }

    func testEveryChannelGetsTheSameTransform() {
        let plane = image.pixels
        let color = FloatImage(pixels: plane + plane + plane, channels: 3, height: 9, width: 9)
        var generator = RandomGenerator(seed: 2)
        var copy = color
        RandomAffine(rotationDegrees: 30, translation: 0.2).apply(to: &copy, using: &generator)
        XCTAssertEqual(Array(copy.pixels[0..<81]), Array(copy.pixels[81..<162]))
        XCTAssertEqual(Array(copy.pixels[0..<81]), Array(copy.pixels[162..<243]))
    }

    /// The fast bilinear sampling gives the reference's bits everywhere: inside, on every border and
    /// corner, at whole-number and negative-zero positions, just outside, far outside and at NaN.
    func testBilinearEqualsTheReferenceBitForBit() {
        var generator = RandomGenerator(seed: 21)
        let (height, width) = (7, 11)
        let plane = (0..<(height * width)).map { _ in generator.nextUniform() }
        var positions: [(Float, Float)] = []
        for _ in 0..<20_000 {
            positions.append((generator.nextUniform() * 14 - 2, generator.nextUniform() * 10 - 2))
        }
        let edges: [Float] = [-1, -0.999_999, -0.5, -0.0, 0, 0.25, 1, 5.5, 6, 6.000_001, 6.5, 7, 9.75, 10, 10.5, 11, 12, .nan, .infinity]
        for x in edges { for y in edges { positions.append((x, y)) } }
        plane.withUnsafeBufferPointer { pixels in
            for (x, y) in positions {
                let fast = FloatImage.bilinear(pixels.baseAddress!, height: height, width: width, x: x, y: y)
                let reference = FloatImage.referenceBilinear(pixels.baseAddress!, height: height, width: width, x: x, y: y)
                XCTAssertEqual(fast.bitPattern, reference.bitPattern, "at (\(x), \(y))")
            }
        }
    }
}
