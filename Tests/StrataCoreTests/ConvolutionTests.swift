@testable import StrataCore
import StrataTestSupport
import XCTest

/// A tensor of standard-normal values drawn from a generator seeded with `seed`.
private func randomTensor(_ shape: [Int], seed: UInt64, requiresGrad: Bool = false) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let values = (0..<Tensor.elementCount(shape)).map { _ in generator.nextNormal() }
    return Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
}

final class ConvolutionTests: XCTestCase {
    /// One convolution configuration: input (N, C, H, W), weight (O, C/groups, KH, KW) and parameters.
    private struct Case {
        var input: [Int]
        var weight: [Int]
        var bias = true
        var stride = (1, 1)
        var padding = (0, 0)
        var paddingEnd: (Int, Int)? = nil
        var dilation = (1, 1)
        var groups = 1
    }

    private let cases: [Case] = [
        Case(input: [1, 1, 5, 5], weight: [1, 1, 3, 3]),
        Case(input: [2, 3, 7, 6], weight: [4, 3, 3, 3], padding: (1, 1)),
        Case(input: [3, 2, 9, 8], weight: [5, 2, 3, 2], bias: false, stride: (2, 3), padding: (1, 0)),
        Case(input: [2, 4, 8, 8], weight: [6, 2, 3, 3], padding: (1, 1), groups: 2),
        Case(input: [2, 4, 7, 7], weight: [4, 1, 3, 3], padding: (1, 1), groups: 4),  // depthwise
        Case(input: [2, 3, 9, 9], weight: [2, 3, 3, 3], padding: (2, 2), dilation: (2, 2)),
        Case(input: [1, 2, 11, 10], weight: [3, 2, 5, 5], bias: false, stride: (2, 2), dilation: (1, 2)),
        Case(input: [2, 1, 28, 28], weight: [8, 1, 5, 5], stride: (2, 2)),  // RankNet's first layer
        Case(input: [3, 5, 6, 7], weight: [4, 5, 1, 1]),
        Case(input: [2, 6, 5, 5], weight: [6, 2, 2, 2], stride: (2, 2), padding: (1, 1), dilation: (2, 1), groups: 3),
        Case(input: [4, 3, 4, 4], weight: [2, 3, 4, 4], padding: (0, 0)),
        // Keras's "same" with stride 2 on an even input: the odd row and column at the bottom and right.
        Case(input: [2, 3, 8, 8], weight: [4, 3, 3, 3], stride: (2, 2), padding: (0, 0), paddingEnd: (1, 1)),
        Case(input: [2, 2, 7, 6], weight: [3, 2, 4, 2], bias: false, stride: (2, 1), padding: (1, 0),
             paddingEnd: (2, 1)),
    ]

    /// Forward and all three backward products of every kernel agree with the reference on every case.
    func testKernelsMatchReference() throws {
        for (index, c) in cases.enumerated() {
            let geometry = Conv2DGeometry(input: c.input, weight: c.weight, bias: c.bias ? [c.weight[0]] : nil,
                                          stride: c.stride, padding: c.padding, paddingEnd: c.paddingEnd,
                                          dilation: c.dilation, groups: c.groups)
            let seed = UInt64(index * 10)
            let weight = randomTensor(c.weight, seed: seed + 2, requiresGrad: true)
            let bias = c.bias ? randomTensor([c.weight[0]], seed: seed + 3, requiresGrad: true) : nil
            let gradOutput = randomTensor(geometry.outputShape, seed: seed + 4)
            let input0 = randomTensor(c.input, seed: seed + 1)
            let expected = ReferenceConvolution.forward(geometry, input: input0, weight: weight, bias: bias)
            let expectedInput = ReferenceConvolution.backwardData(geometry, gradOutput: gradOutput, weight: weight)
            let expectedWeight = ReferenceConvolution.backwardWeight(geometry, gradOutput: gradOutput, input: input0)
            for algorithm in ConvolutionAlgorithm.allCases {
                let label = "case \(index) \(algorithm)"
                let input = randomTensor(c.input, seed: seed + 1, requiresGrad: true)
                weight.zeroGrad()
                bias?.zeroGrad()
                let output = input.conv2d(weight, bias: bias, stride: c.stride, padding: c.padding,
                                          paddingEnd: c.paddingEnd, dilation: c.dilation, groups: c.groups,
                                          algorithm: algorithm)
                assertClose(output, expected, rtol: 1e-4, atol: 1e-4, "\(label) forward")
                try output.backward(gradient: gradOutput)
                assertClose(input.grad!, expectedInput, rtol: 1e-4, atol: 1e-4, "\(label) input gradient")
                assertClose(weight.grad!, expectedWeight, rtol: 1e-4, atol: 1e-4, "\(label) weight gradient")
                if let bias {
                    assertClose(bias.grad!, ReferenceConvolution.backwardBias(geometry, gradOutput: gradOutput),
                                rtol: 1e-4, atol: 1e-4, "\(label) bias gradient")
                }
            }
        }
    }

    /// Only the inputs that require gradients get one (a frozen input or weight is skipped).
    func testGradientsOnlyWhereRequired() throws {
        for algorithm in ConvolutionAlgorithm.allCases where algorithm != .automatic {
            let input = randomTensor([2, 3, 6, 6], seed: 1)
            let weight = randomTensor([4, 3, 3, 3], seed: 2, requiresGrad: true)
            let bias = randomTensor([4], seed: 3)
            let output = input.conv2d(weight, bias: bias, padding: (1, 1), algorithm: algorithm)
            try output.backward(gradient: randomTensor(output.shape, seed: 4))
            XCTAssertNil(input.grad)
            XCTAssertNil(bias.grad)
            XCTAssertEqual(weight.grad?.shape, [4, 3, 3, 3])
        }
        let frozen = randomTensor([4, 3, 3, 3], seed: 2)
        XCTAssertFalse(randomTensor([2, 3, 6, 6], seed: 1).conv2d(frozen).requiresGrad,
                       "nothing is recorded when no input requires gradients")
    }

    /// A non-dense input (a transposed view) is convolved like its dense copy.
    func testNonContiguousInput() {
        let dense = randomTensor([2, 3, 5, 5], seed: 5)
        let transposed = Tensor(shape: [2, 3, 5, 5], storage: dense.storage, strides: [75, 25, 1, 5])
        let weight = randomTensor([2, 3, 3, 3], seed: 6)
        assertClose(transposed.conv2d(weight), transposed.copy().conv2d(weight), rtol: 1e-6, atol: 1e-6)
    }

    /// "Same" padding keeps the spatial size for odd kernels; stride 2 halves it (rounded up).
    func testOutputShapes() {
        let input = randomTensor([2, 3, 28, 28], seed: 1)
        XCTAssertEqual(input.conv2d(randomTensor([8, 3, 3, 3], seed: 2), padding: (1, 1)).shape, [2, 8, 28, 28])
        XCTAssertEqual(input.conv2d(randomTensor([8, 3, 5, 5], seed: 2), padding: (2, 2)).shape, [2, 8, 28, 28])
        XCTAssertEqual(input.conv2d(randomTensor([8, 3, 3, 3], seed: 2), stride: (2, 2), padding: (1, 1)).shape,
                       [2, 8, 14, 14])
        XCTAssertEqual(input.conv2d(randomTensor([8, 3, 5, 5], seed: 2), stride: (2, 2)).shape, [2, 8, 12, 12])
    }

    /// Finite differences agree with the recorded gradients for input, weight and bias.
    func testGradientCheck() {
        let configurations: [(String, Case)] = [
            ("plain", Case(input: [2, 3, 5, 5], weight: [2, 3, 3, 3], padding: (1, 1))),
            ("strided", Case(input: [2, 3, 5, 5], weight: [2, 3, 2, 3], stride: (2, 1), padding: (1, 0))),
            ("groups", Case(input: [2, 4, 5, 5], weight: [4, 2, 3, 3], padding: (1, 1), groups: 2)),
            ("dilation", Case(input: [2, 3, 5, 5], weight: [2, 3, 3, 3], bias: false, padding: (1, 2),
                              dilation: (2, 2))),
        ]
        for algorithm in ConvolutionAlgorithm.allCases where algorithm != .automatic {
            for (index, (name, c)) in configurations.enumerated() {
                let seed = UInt64(100 + index * 10)
                var inputs = [randomTensor(c.input, seed: seed, requiresGrad: true),
                              randomTensor(c.weight, seed: seed + 1, requiresGrad: true)]
                if c.bias { inputs.append(randomTensor([c.weight[0]], seed: seed + 2, requiresGrad: true)) }
                checkGradients("conv2d \(name) \(algorithm)", inputs: inputs, epsilon: 1e-2, rtol: 2e-2,
                               atol: 2e-3) { x in
                    x[0].conv2d(x[1], bias: x.count > 2 ? x[2] : nil, stride: c.stride, padding: c.padding,
                                dilation: c.dilation, groups: c.groups, algorithm: algorithm)
                }
            }
        }
    }

    /// Shape errors name the op and both shapes.
    func testShapeErrorMessages() {
        func problem(_ input: [Int], _ weight: [Int], bias: [Int]? = nil, padding: (Int, Int) = (0, 0),
                     dilation: (Int, Int) = (1, 1), groups: Int = 1) -> String? {
            Conv2DGeometry.problem(input: input, weight: weight, bias: bias, stride: (1, 1), padding: padding,
                                   dilation: dilation, groups: groups)
        }
        XCTAssertEqual(problem([2, 3, 5, 5], [4, 2, 3, 3]),
                       "conv2d: input (2, 3, 5, 5) has 3 channels but weight (4, 2, 3, 3) expects 2 × groups 1")
        XCTAssertEqual(problem([2, 3, 5, 5], [4, 3, 3]),
                       "conv2d: weight (4, 3, 3) must have rank 4 (O, C/groups, KH, KW)")
        XCTAssertEqual(problem([3, 5, 5], [4, 3, 3, 3]), "conv2d: input (3, 5, 5) must have rank 4 (N, C, H, W)")
        XCTAssertEqual(problem([2, 3, 5, 5], [4, 1, 3, 3], groups: 3)?.hasPrefix(
            "conv2d: groups 3 must divide the 3 channels of input (2, 3, 5, 5) and the 4 output channels"), true)
        XCTAssertEqual(problem([2, 3, 5, 5], [4, 3, 7, 3]),
                       "conv2d: kernel of weight (4, 3, 7, 3) spans 7×3 with dilation (1, 1), larger than input "
                       + "(2, 3, 5, 5) padded by (0, 0) to 5×5")
        XCTAssertNotNil(problem([2, 3, 5, 5], [4, 3, 3, 3], dilation: (3, 3)), "a dilated kernel spans 7×7")
        XCTAssertNil(problem([2, 3, 5, 5], [4, 3, 7, 7], padding: (1, 1)), "padding makes room for the kernel")
        XCTAssertEqual(problem([2, 3, 5, 5], [4, 3, 3, 3], bias: [3]),
                       "conv2d: bias (3) must have shape (4) to match weight (4, 3, 3, 3)")
    }
}
