@testable import StrataCore
import StrataTestSupport
import XCTest

/// `l2Normalized` and `pairwiseDistances`: values, gradients by finite differences, and the
/// matrix-product distances against their plain-loop twin `ReferenceDistances`.
final class DistanceTests: XCTestCase {
    /// A (rows, columns) leaf of seeded normal values.
    func batch(_ rows: Int, _ columns: Int, seed: UInt64, scale: Float = 1) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        let values = (0..<rows * columns).map { _ in generator.nextNormal() * scale }
        return Tensor(shape: [rows, columns], scalars: values, requiresGrad: true)
    }

    func testL2NormalizedRowsHaveUnitLength() {
        let x = Tensor([[3, 4], [0, -2], [1e-14, 0]])
        assertClose(x.l2Normalized(), Tensor([[0.6, 0.8], [0, -1], [0.01, 0]]))
        let tiny = Tensor([[1e-14, 0]]).l2Normalized(epsilon: 1e-12)
        assertClose(tiny, Tensor([[0.01, 0]]), "a row shorter than ε is divided by ε")
        let columns = Tensor([[3, 1], [4, 0]]).l2Normalized(alongAxis: 0)
        assertClose(columns, Tensor([[0.6, 1], [0.8, 0]]))
        let zero = Tensor([[0, 0, 0]]).l2Normalized()
        XCTAssertEqual(zero.scalars, [0, 0, 0], "a zero row stays zero (no NaN)")
    }

    func testL2NormalizedGradients() {
        checkGradients("l2Normalized last axis", inputs: [batch(4, 5, seed: 1)], epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) {
            $0[0].l2Normalized()
        }
        checkGradients("l2Normalized axis 0", inputs: [batch(3, 4, seed: 2)], epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) {
            $0[0].l2Normalized(alongAxis: 0)
        }
        // A row shorter than ε: the divisor is the constant ε, so the map is linear x / ε there.
        let short = Tensor(shape: [2, 3], scalars: [0.01, -0.02, 0.015, 0.9, -0.4, 0.3], requiresGrad: true)
        checkGradients("l2Normalized below epsilon", inputs: [short], epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) {
            $0[0].l2Normalized(epsilon: 0.5)
        }
    }

    func testPairwiseDistancesMatchThePlainLoop() throws {
        let x = batch(9, 16, seed: 3)
        var generator = RandomGenerator(seed: 4)
        let upstream = Tensor(shape: [9, 9], scalars: (0..<81).map { _ in generator.nextNormal() })
        for squared in [false, true] {
            x.zeroGrad()
            let distances = x.pairwiseDistances(squared: squared)
            let expected = ReferenceDistances.pairwise(x, squared: squared).map(Float.init)
            assertClose(distances.scalars, expected, rtol: 1e-4, atol: 1e-4, "squared \(squared)")
            for i in 0..<9 { XCTAssertEqual(distances[i, i], 0, "diagonal is exactly 0") }
            try distances.backward(gradient: upstream)
            let expectedGradient = ReferenceDistances.pairwiseBackward(x, gradOutput: upstream, squared: squared)
            assertClose(x.grad!.scalars, expectedGradient.map(Float.init), rtol: 1e-4, atol: 1e-4, "gradient, squared \(squared)")
        }
    }

    func testPairwiseDistancesGradients() {
        // Off-diagonal distances of well-spread rows are smooth; the diagonal contributes nothing.
        checkGradients("pairwiseDistances", inputs: [batch(5, 3, seed: 5)], epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) {
            $0[0].pairwiseDistances()
        }
        checkGradients("pairwiseDistances squared", inputs: [batch(5, 3, seed: 6)], epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) {
            $0[0].pairwiseDistances(squared: true)
        }
    }

    func testDuplicateRowsGiveZeroDistanceAndFiniteGradient() throws {
        let x = Tensor([[1, 2], [1, 2], [4, 6]], requiresGrad: true)
        let distances = x.pairwiseDistances()
        XCTAssertEqual(distances[0, 1], 0)
        assertClose(distances[0, 2], 5)
        try distances.sum().backward()
        XCTAssertTrue(x.grad!.scalars.allSatisfy(\.isFinite), "\(x.grad!.scalars)")
    }
}
