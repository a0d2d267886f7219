import Foundation
@testable import StrataData
import XCTest

/// Resizing planes `(C, H, W)`: hand-checked examples, and the fast path against the plain reference.
final class ImageResizeTests: XCTestCase {
    func testHalvingAveragesTwoByTwoBlocks() {
        let pixels: [UInt8] = [0, 2, 10, 20,
                               4, 6, 30, 40,
                               100, 100, 1, 1,
                               200, 200, 3, 3]
        let expected: [UInt8] = [3, 25, 150, 2]
        XCTAssertEqual(ImageResize.resize(pixels, channels: 1, from: (4, 4), to: (2, 2)), expected)
        XCTAssertEqual(ImageResize.referenceResize(pixels, channels: 1, from: (4, 4), to: (2, 2)), expected)
    }

    func testShrinkingByAFractionWeighsTheCoveredParts() {
        // 3 → 2: output 0 covers [0, 1.5) = all of pixel 0 and half of pixel 1: (2·0 + 30) / 3 = 10.
        for resize in [ImageResize.resize, ImageResize.referenceResize] {
            XCTAssertEqual(resize([0, 30, 90], 1, (1, 3), (1, 2)), [10, 70])
            XCTAssertEqual(resize([0, 30, 90], 1, (3, 1), (2, 1)), [10, 70])
        }
    }

    func testEnlargingIsBilinearWithClampedEdges() {
        // 2 → 4: output centres fall at input positions −0.25 (clamped to 0), 0.25, 0.75 and 1.25 (clamped to 1).
        for resize in [ImageResize.resize, ImageResize.referenceResize] {
            XCTAssertEqual(resize([0, 100], 1, (1, 2), (1, 4)), [0, 25, 75, 100])
            XCTAssertEqual(resize([0, 100, 200, 40], 1, (2, 2), (2, 4)), [0, 25, 75, 100, 200, 160, 80, 40])
        }
    }

    func testSameSizeIsUnchanged() {
        let pixels: [UInt8] = (0..<24).map { UInt8($0 * 10) }
        XCTAssertEqual(ImageResize.resize(pixels, channels: 2, from: (3, 4), to: (3, 4)), pixels)
        XCTAssertEqual(ImageResize.referenceResize(pixels, channels: 2, from: (3, 4), to: (3, 4)), pixels)
    }

    func testFastResizeMatchesTheReference() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let shapes: [((Int, Int), (Int, Int))] = [
            ((112, 92), (56, 46)), ((13, 7), (5, 3)), ((7, 5), (16, 11)), ((9, 4), (4, 9)), ((1, 1), (3, 2)),
            ((10, 10), (3, 7)), ((5, 8), (5, 3)), ((6, 6), (6, 6)), ((17, 23), (17, 40)),
        ]
        for (source, target) in shapes {
            for channels in [1, 3] {
                let pixels = (0..<(channels * source.0 * source.1)).map { _ in UInt8(next(256)) }
                let fast = ImageResize.resize(pixels, channels: channels, from: source, to: target)
                let reference = ImageResize.referenceResize(pixels, channels: channels, from: source, to: target)
                XCTAssertEqual(fast.count, channels * target.0 * target.1)
                let worst = zip(fast, reference).map { abs(Int($0) - Int($1)) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 1, "\(source) → \(target), \(channels) channels")
            }
        }
    }

    func testWeightsAlongAnAxisSumToOne() {
        for (n, m) in [(7, 3), (3, 7), (5, 5), (92, 46), (1, 4), (4, 1)] {
            for output in 0..<m {
                let total = (0..<n).map { ImageResize.weight(output: output, input: $0, from: n, to: m) }.reduce(0, +)
                XCTAssertEqual(total, 1, accuracy: 1e-12, "\(n) → \(m), output \(output)")
                let taps = ImageResize.taps(from: n, to: m)[output]
                XCTAssertEqual(taps.weights.reduce(0, +), 1, accuracy: 1e-5)
                for (offset, weight) in taps.weights.enumerated() {
                    XCTAssertEqual(Double(weight), ImageResize.weight(output: output, input: taps.start + offset, from: n, to: m),
                                   accuracy: 1e-6)
                }
            }
        }
    }
}
