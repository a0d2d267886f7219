@testable import StrataCore
import StrataTestSupport
import XCTest

/// A tensor of standard-normal values drawn from a generator seeded with `seed`.
private func randomTensor(_ shape: [Int], seed: UInt64, requiresGrad: Bool = false) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let values = (0..<Tensor.elementCount(shape)).map { _ in generator.nextNormal() }
    return Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
}

/// A tensor holding a shuffled 0.1-spaced ramp: no two values are within 0.1, so max pooling has no
/// ties, not even after a finite-difference nudge.
private func distinctTensor(_ shape: [Int], seed: UInt64, requiresGrad: Bool = false) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let count = Tensor.elementCount(shape)
    let values = (0..<count).map { Float($0) * 0.1 - Float(count) * 0.05 }.shuffled(using: &generator)
    return Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
}

final class PoolingTests: XCTestCase {
    /// One pooling configuration: input (N, C, H, W), kernel, stride and padding.
    private struct Case {
        var input: [Int]
        var kernel: (Int, Int)
        var stride: (Int, Int)
        var padding = (0, 0)
        var paddingEnd: (Int, Int)? = nil
    }

    private let cases: [Case] = [
        Case(input: [1, 1, 4, 4], kernel: (2, 2), stride: (2, 2)),
        Case(input: [2, 3, 7, 7], kernel: (2, 2), stride: (2, 2)),  // odd size: the last row is dropped
        Case(input: [2, 3, 7, 6], kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
        Case(input: [3, 2, 9, 8], kernel: (3, 2), stride: (1, 2), padding: (1, 0)),
        Case(input: [1, 4, 5, 5], kernel: (5, 5), stride: (1, 1)),
        Case(input: [2, 2, 6, 5], kernel: (2, 3), stride: (3, 1), padding: (1, 1)),
        Case(input: [2, 3, 28, 28], kernel: (2, 2), stride: (2, 2)),
        // Keras's "same": 7 → 4 with the extra column at the bottom and right only.
        Case(input: [2, 3, 7, 7], kernel: (2, 2), stride: (2, 2), padding: (0, 0), paddingEnd: (1, 1)),
        Case(input: [1, 2, 8, 6], kernel: (3, 3), stride: (2, 2), padding: (0, 1), paddingEnd: (1, 1)),
    ]

    /// Max pooling's output and input gradient agree with the reference on every case.
    func testMaxPoolMatchesReference() throws {
        for (index, c) in cases.enumerated() {
            let geometry = Pool2DGeometry(input: c.input, kernel: c.kernel, stride: c.stride, padding: c.padding,
                                          paddingEnd: c.paddingEnd, op: "test")
            let input = distinctTensor(c.input, seed: UInt64(index), requiresGrad: true)
            let gradOutput = randomTensor(geometry.outputShape, seed: UInt64(index) + 50)
            let (expected, argmax) = ReferencePooling.maxForward(geometry, input: input)
            let output = input.maxPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding, paddingEnd: c.paddingEnd)
            assertClose(output, expected, rtol: 0, atol: 0, "case \(index) forward")
            try output.backward(gradient: gradOutput)
            assertClose(input.grad!, ReferencePooling.maxBackward(geometry, gradOutput: gradOutput, argmax: argmax),
                        rtol: 1e-6, atol: 1e-6, "case \(index) input gradient")
            let inference = noGrad { input.maxPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding, paddingEnd: c.paddingEnd) }
            assertClose(inference, expected, rtol: 0, atol: 0, "case \(index) forward without the tape")
        }
    }

    /// Average pooling's output and input gradient agree with the reference on every case.
    func testAvgPoolMatchesReference() throws {
        for (index, c) in cases.enumerated() {
            let geometry = Pool2DGeometry(input: c.input, kernel: c.kernel, stride: c.stride, padding: c.padding,
                                          paddingEnd: c.paddingEnd, op: "test")
            let input = randomTensor(c.input, seed: UInt64(index), requiresGrad: true)
            let gradOutput = randomTensor(geometry.outputShape, seed: UInt64(index) + 50)
            let output = input.avgPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding, paddingEnd: c.paddingEnd)
            assertClose(output, ReferencePooling.averageForward(geometry, input: input), rtol: 1e-5, atol: 1e-6,
                        "case \(index) forward")
            try output.backward(gradient: gradOutput)
            assertClose(input.grad!, ReferencePooling.averageBackward(geometry, gradOutput: gradOutput),
                        rtol: 1e-5, atol: 1e-6, "case \(index) input gradient")
        }
    }

    /// Padding counts as zeros in the average (PyTorch's `count_include_pad=True`).
    func testAvgPoolCountsPadding() {
        let ones = Tensor(shape: [1, 1, 2, 2], scalars: [1, 1, 1, 1])
        let pooled = ones.avgPool2d(kernel: (2, 2), stride: (1, 1), padding: (1, 1))
        XCTAssertEqual(pooled.shape, [1, 1, 3, 3])
        XCTAssertEqual(pooled.scalars, [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25])
    }

    /// A worked example: 2×2 max pooling of a 4×4 ramp, stride defaulting to the kernel.
    func testMaxPoolExample() {
        let ramp = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        XCTAssertEqual(ramp.maxPool2d(kernel: (2, 2)).scalars, [5, 7, 13, 15])
        XCTAssertEqual(ramp.avgPool2d(kernel: (2, 2)).scalars, [2.5, 4.5, 10.5, 12.5])
    }

    /// The global average is the mean of each plane, shaped (N, C), and its gradient spreads evenly.
    func testGlobalAvgPoolMatchesReference() throws {
        for shape in [[1, 1, 1, 1], [2, 3, 5, 4], [4, 16, 7, 7]] {
            let input = randomTensor(shape, seed: 9, requiresGrad: true)
            let output = input.globalAvgPool2d()
            XCTAssertEqual(output.shape, [shape[0], shape[1]])
            assertClose(output, ReferencePooling.globalAverageForward(input: input), rtol: 1e-5, atol: 1e-6)
            let gradOutput = randomTensor(output.shape, seed: 10)
            try output.backward(gradient: gradOutput)
            assertClose(input.grad!, ReferencePooling.globalAverageBackward(gradOutput: gradOutput, inputShape: shape),
                        rtol: 1e-6, atol: 1e-7)
        }
    }

    /// Finite differences agree with the recorded gradients of every pooling.
    func testGradientCheck() {
        checkGradients("maxPool2d", inputs: [distinctTensor([2, 3, 5, 5], seed: 1, requiresGrad: true)]) {
            $0[0].maxPool2d(kernel: (2, 2), stride: (2, 2))
        }
        checkGradients("maxPool2d padded", inputs: [distinctTensor([2, 3, 5, 5], seed: 2, requiresGrad: true)]) {
            $0[0].maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        }
        checkGradients("avgPool2d", inputs: [randomTensor([2, 3, 5, 5], seed: 3, requiresGrad: true)]) {
            $0[0].avgPool2d(kernel: (2, 2), stride: (1, 1))
        }
        checkGradients("avgPool2d padded", inputs: [randomTensor([2, 3, 5, 5], seed: 4, requiresGrad: true)]) {
            $0[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        }
        checkGradients("globalAvgPool2d", inputs: [randomTensor([2, 3, 5, 5], seed: 5, requiresGrad: true)]) {
            $0[0].globalAvgPool2d()
        }
    }

    /// Shape errors name the op and the input shape.
    func testShapeErrorMessages() {
        func problem(_ input: [Int], kernel: (Int, Int), padding: (Int, Int) = (0, 0)) -> String? {
            Pool2DGeometry.problem(input: input, kernel: kernel, stride: kernel, padding: padding, op: "maxPool2d")
        }
        XCTAssertEqual(problem([3, 5, 5], kernel: (2, 2)), "maxPool2d: input (3, 5, 5) must have rank 4 (N, C, H, W)")
        XCTAssertEqual(problem([1, 3, 5, 5], kernel: (6, 2)),
                       "maxPool2d: kernel (6, 2) is larger than input (1, 3, 5, 5) padded by (0, 0) to 5×5")
        XCTAssertEqual(problem([1, 3, 5, 5], kernel: (2, 2), padding: (2, 0)),
                       "maxPool2d: padding (2, 0) must be between 0 and half the kernel (2, 2) (input (1, 3, 5, 5))")
        XCTAssertNil(problem([1, 3, 5, 5], kernel: (6, 6), padding: (1, 1)))
    }
}
