@testable import StrataCore
import StrataTestSupport
import XCTest

/// `PackedInnerProduct` (oneDNN's inner product with packed weights) against `Tensor.linear`
/// (sgemm, then the bias and ReLU pass), and its repacking when the weights change.
final class PackedInnerProductTests: XCTestCase {
    private func assertMatchesLinear(_ product: PackedInnerProduct, _ input: Tensor, _ label: String,
                                     file: StaticString = #filePath, line: UInt = #line) {
        let expected = noGrad { input.linear(weight: product.weight, bias: product.bias, relu: product.relu) }
        let actual = product.run(input)
        XCTAssertEqual(actual.shape, expected.shape, label, file: file, line: line)
        assertClose(actual, expected, rtol: 1e-5, atol: 1e-5, label, file: file, line: line)
    }

    func testMatchesLinearWithAndWithoutBiasAndReLUAtSeveralBatchSizes() {
        let weight = Tensor.randomUniform([37, 19], seed: 1) - 0.5
        let bias = Tensor.randomUniform([19], seed: 2) - 0.5
        for (hasBias, relu) in [(true, true), (true, false), (false, true), (false, false)] {
            let product = PackedInnerProduct(weight: weight, bias: hasBias ? bias : nil, relu: relu)
            for rows in [1, 7, 256] {
                let input = Tensor.randomUniform([rows, 37], seed: UInt64(rows)) - 0.5
                assertMatchesLinear(product, input, "bias \(hasBias) relu \(relu) rows \(rows)")
            }
        }
    }

    func testActsOnTheLastAxisOfAHigherRankInput() {
        // As Dense(28) on (N, 28, 28) images: every row of every image.
        let product = PackedInnerProduct(weight: Tensor.randomUniform([28, 28], seed: 3) - 0.5,
                                         bias: Tensor.randomUniform([28], seed: 4), relu: true)
        let input = Tensor.randomUniform([3, 28, 28], seed: 5)
        assertMatchesLinear(product, input, "rank 3")
        XCTAssertEqual(product.run(input).shape, [3, 28, 28])
    }

    func testRepacksWhenTheWeightsChangeInPlaceAtEveryBatchSize() {
        let weight = Tensor.randomUniform([16, 8], seed: 6), bias = Tensor.zeros([8])
        let product = PackedInnerProduct(weight: weight, bias: bias, relu: false)
        let small = Tensor.randomUniform([1, 16], seed: 7), large = Tensor.randomUniform([64, 16], seed: 8)
        let before = product.run(large)
        _ = product.run(small)
        // An optimizer step writes in place and bumps the version.
        for i in 0..<weight.count { weight.pointer[i] *= -2 }
        bias.pointer[3] = 5
        weight.storage.bumpVersion()
        bias.storage.bumpVersion()
        assertMatchesLinear(product, small, "batch 1 after the change")
        assertMatchesLinear(product, large, "batch 64 after the change")
        XCTAssertNotEqual(product.run(large).scalars, before.scalars)
    }

    func testEmptyBatchGivesAnEmptyResult() {
        let product = PackedInnerProduct(weight: Tensor.randomUniform([4, 3], seed: 9), bias: nil, relu: false)
        XCTAssertEqual(product.run(Tensor.zeros([0, 4])).shape, [0, 3])
    }
}
