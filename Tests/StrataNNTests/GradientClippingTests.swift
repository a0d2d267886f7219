import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// Clipping by global norm and by value, as free functions and inside `step`, on hand-computed values.
final class GradientClippingTests: XCTestCase {
    /// Parameters whose gradients are a = (3, 4), b = (0, 12): global norm 13; c has no gradient.
    private func makeParameters() -> [Parameter] {
        let a = Tensor([0, 0], requiresGrad: true)
        a.grad = Tensor([3, 4])
        let b = Tensor([[0], [0]], requiresGrad: true)
        b.grad = Tensor([[0], [12]])
        let c = Tensor([1], requiresGrad: true)
        return [Parameter(name: "a", tensor: a), Parameter(name: "b", tensor: b), Parameter(name: "c", tensor: c)]
    }

    func testNormClippingScalesAllGradientsTogether() throws {
        let parameters = makeParameters()
        let norm = clipGradients(parameters, maxNorm: 6.5)
        XCTAssertEqual(norm, 13)
        // scale = 6.5 / (13 + 1e-6), as PyTorch's clip_grad_norm_.
        let scale = Float(6.5 / (13 + 1e-6))
        assertClose(try XCTUnwrap(parameters[0].tensor.grad).scalars, [3 * scale, 4 * scale], rtol: 1e-6, atol: 0)
        assertClose(try XCTUnwrap(parameters[1].tensor.grad).scalars, [0, 12 * scale], rtol: 1e-6, atol: 0)
        XCTAssertNil(parameters[2].tensor.grad)
        let after = clipGradients(parameters, maxNorm: 100)
        assertClose(after, 6.5, rtol: 1e-6, atol: 0)
    }

    func testNormClippingLeavesSmallGradientsExactlyAlone() throws {
        let parameters = makeParameters()
        XCTAssertEqual(clipGradients(parameters, maxNorm: 13.5), 13)
        XCTAssertEqual(try XCTUnwrap(parameters[0].tensor.grad).scalars, [3, 4])
        XCTAssertEqual(try XCTUnwrap(parameters[1].tensor.grad).scalars, [0, 12])
    }

    func testNormOfManyElementsIsAccurate() {
        // 100 003 elements of 0.5 (not a multiple of the 8-lane blocks): norm = 0.5 · sqrt(100 003).
        let tensor = Tensor.full([100_003], value: 0.5, requiresGrad: true)
        tensor.grad = Tensor.full([100_003], value: 0.5)
        let norm = clipGradients([Parameter(name: "w", tensor: tensor)], maxNorm: 1)
        assertClose(norm, Float(0.5 * Double(100_003).squareRoot()), rtol: 1e-6, atol: 0)
        assertClose(tensor.grad!.scalars[100_002], Float(0.5 / (Double(norm) + 1e-6)), rtol: 1e-6, atol: 0)
    }

    func testValueClippingClampsEachElementAndKeepsNaN() throws {
        let w = Tensor([0, 0, 0, 0, 0], requiresGrad: true)
        w.grad = Tensor([-3, 0.2, 5, -0.7, .nan])
        clipGradients([Parameter(name: "w", tensor: w)], maxValue: 0.5)
        let clipped = try XCTUnwrap(w.grad).scalars
        XCTAssertEqual(Array(clipped[0..<4]), [-0.5, 0.2, 0.5, -0.5])
        XCTAssertTrue(clipped[4].isNaN)
    }

    func testStepClipsBeforeTheUpdate() {
        let byNorm = makeParameters()
        SGD(learningRate: 1, gradientClipping: .norm(1.3)).step(byNorm)
        // The gradients are scaled by 1.3 / 13 = 0.1 (to float precision), then subtracted.
        assertClose(byNorm[0].tensor.scalars, [-0.3, -0.4], rtol: 1e-6, atol: 0)
        assertClose(byNorm[1].tensor.scalars, [0, -1.2], rtol: 1e-6, atol: 0)
        XCTAssertEqual(byNorm[2].tensor.scalars, [1])

        let byValue = makeParameters()
        let optimizer = SGD(learningRate: 1)
        optimizer.gradientClipping = .value(2)
        optimizer.step(byValue)
        XCTAssertEqual(byValue[0].tensor.scalars, [-2, -2])
        XCTAssertEqual(byValue[1].tensor.scalars, [0, -2])
    }

    func testApplyDispatchesOnTheCase() throws {
        let parameters = makeParameters()
        GradientClipping.value(1).apply(to: parameters)
        XCTAssertEqual(try XCTUnwrap(parameters[1].tensor.grad).scalars, [0, 1])
        GradientClipping.norm(1).apply(to: parameters)
        assertClose(try XCTUnwrap(parameters[0].tensor.grad).scalars, [1 / 3.0.squareRoot(), 1 / 3.0.squareRoot()].map(Float.init),
                    rtol: 1e-5, atol: 0)
    }
}
