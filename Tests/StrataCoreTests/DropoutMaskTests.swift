@testable import StrataCore
import XCTest

/// The byte mask of `dropout` against `ReferenceDropout`, the `Float` mask it replaced: the same
/// values bit for bit, forward and backward, for the same seed.
final class DropoutMaskTests: XCTestCase {
    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    func testForwardMatchesTheFloatMaskBitForBit() {
        let specials: [Float] = [-3, -0.0, 0, .nan, .infinity, -.infinity, Float.leastNormalMagnitude / 4, -1e30]
        let x = Tensor(shape: [3, 37], scalars: (0..<111).map { $0 < 8 ? specials[$0] : Float($0 % 13) - 6.5 })
        for rate: Float in [0.2, 0.5, 0.9] {
            var fast = RandomGenerator(seed: 11), reference = RandomGenerator(seed: 11)
            let y = x.dropout(rate: rate, generator: &fast)
            let mask = ReferenceDropout.mask(count: x.count, rate: rate, generator: &reference)
            XCTAssertEqual(bits(y.scalars), bits(ReferenceDropout.apply(mask, to: x)), "rate \(rate)")
            XCTAssertEqual(fast.nextUniform(), reference.nextUniform(), "both draw one number per element")
        }
    }

    func testBackwardMatchesTheFloatMaskOnAStridedInput() throws {
        let base = Tensor.randomNormal([6, 5], seed: 3, requiresGrad: true)
        let x = base.transposed()  // (5, 6), not contiguous
        var fast = RandomGenerator(seed: 21), reference = RandomGenerator(seed: 21)
        let y = x.dropout(rate: 0.3, generator: &fast)
        let mask = ReferenceDropout.mask(count: x.count, rate: 0.3, generator: &reference)
        XCTAssertEqual(bits(y.scalars), bits(ReferenceDropout.apply(mask, to: x)))
        let upstream = Tensor.randomNormal([5, 6], seed: 4)
        try (y * upstream).sum().backward()
        let expected = Tensor(shape: [5, 6], scalars: ReferenceDropout.apply(mask, to: upstream)).transposed()
        XCTAssertEqual(bits(try XCTUnwrap(base.grad).scalars), bits(expected.scalars))
    }

    func testMaskKeepsAboutOneMinusRateAndTakesAQuarterOfTheFloatMemory() {
        var generator = RandomGenerator(seed: 5)
        let pool = BufferPool.shared
        let liveBefore = pool.liveBytes
        let mask = DropoutMask(count: 40_000, rate: 0.25, generator: &generator)
        XCTAssertEqual(pool.liveBytes - liveBefore, 40_000, "one byte per element")
        XCTAssertEqual(Double(mask.keptCount) / 40_000, 0.75, accuracy: 0.01)
        XCTAssertEqual(mask.keepScale, 4 / 3)
    }
}
