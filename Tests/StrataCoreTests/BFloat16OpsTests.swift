@testable import StrataCore
import StrataTestSupport
import XCTest

/// Convolutions and matrix products under `Precision.with(.bfloat16)`, forward and backward: equal
/// (up to Float32 summation order) to Float32 ops on bfloat16-rounded operands, which is what bf16
/// operands with Float32 accumulation mean; within bfloat16 tolerance of plain Float32; and not
/// Float32 itself. Backward runs outside the scope, so it must keep the forward's precision.
final class BFloat16OpsTests: XCTestCase {
    /// An op's output and the gradients of sum(output · probe) with respect to each input.
    struct Result {
        let output: Tensor
        let gradients: [Tensor]
    }

    /// `op` on fresh leaves holding `inputs`' values, run in `precision`; backward outside the scope.
    func run(_ precision: Precision, _ inputs: [Tensor], probe: Tensor, _ op: ([Tensor]) -> Tensor) throws -> Result {
        let leaves = inputs.map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGrad: true) }
        let output = Precision.with(precision) { op(leaves) }
        try (output * probe).sum().backward()
        return Result(output: output.detached(), gradients: leaves.map { $0.grad! })
    }

    /// The largest |value| of `tensor`.
    func maxAbs(_ tensor: Tensor) -> Float { tensor.scalars.map { Swift.abs($0) }.max() ?? 0 }

    /// The largest |a − b|.
    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    /// Runs `op` in bfloat16, in Float32 on rounded operands (the probe, the output gradient, rounded
    /// too; the inputs listed in `unrounded` not) and in plain Float32, and compares them. The gradients
    /// listed in `float32Gradients` are computed without products (a bias's) and must equal Float32's.
    func check(_ name: String, _ inputs: [Tensor], unrounded: Set<Int> = [], float32Gradients: Set<Int> = [],
               probeShape: [Int], file: StaticString = #filePath, line: UInt = #line,
               _ op: ([Tensor]) -> Tensor) throws {
        let probe = Tensor.randomNormal(probeShape, seed: 99)
        let bf16 = try run(.bfloat16, inputs, probe: probe, op)
        let rounded = inputs.enumerated().map { unrounded.contains($0.offset) ? $0.element : $0.element.roundedToBFloat16() }
        let exact = try run(.float32, rounded, probe: probe.roundedToBFloat16(), op)
        let float32 = try run(.float32, inputs, probe: probe, op)
        let pairs = [("output", bf16.output, exact.output, float32.output)]
            + bf16.gradients.indices.map { ("gradient \($0)", bf16.gradients[$0], exact.gradients[$0], float32.gradients[$0]) }
        for index in float32Gradients {
            assertClose(bf16.gradients[index], float32.gradients[index], rtol: 1e-5, atol: 1e-5,
                        "\(name) gradient \(index): computed in f32", file: file, line: line)
        }
        for (index, (what, actual, onRounded, reference)) in pairs.enumerated() where !float32Gradients.contains(index - 1) {
            assertClose(actual, onRounded, rtol: 1e-4, atol: 1e-5 * Swift.max(maxAbs(onRounded), 1),
                        "\(name) \(what): bf16 against f32 on bf16-rounded operands", file: file, line: line)
            assertClose(actual, reference, rtol: 2e-2, atol: 2e-2 * maxAbs(reference),
                        "\(name) \(what): bf16 against f32", file: file, line: line)
        }
        XCTAssertGreaterThan(maxDifference(bf16.output, float32.output), 1e-5 * maxAbs(float32.output),
                             "\(name): the bf16 output equals the f32 one, so bf16 was not used", file: file, line: line)
    }

    func testConvolutionWithBias() throws {
        let x = Tensor.randomNormal([2, 3, 8, 8], seed: 1), w = Tensor.randomNormal([8, 3, 3, 3], seed: 2)
        let b = Tensor.randomNormal([8], seed: 3)
        // The bias is added in Float32, never rounded.
        try check("conv 3×3 pad 1", [x, w, b], unrounded: [2], probeShape: [2, 8, 8, 8]) {
            $0[0].conv2d($0[1], bias: $0[2], padding: (1, 1))
        }
    }

    func testConvolutionStridedGroupedWithoutBias() throws {
        let x = Tensor.randomNormal([3, 4, 9, 9], seed: 4), w = Tensor.randomNormal([6, 2, 3, 3], seed: 5)
        try check("conv stride 2 groups 2", [x, w], probeShape: [3, 6, 4, 4]) {
            $0[0].conv2d($0[1], stride: (2, 2), groups: 2)
        }
    }

    func testConvolutionOfOneChannelImages() throws {
        // The first layer of the MNIST models: one input channel, 16 filters.
        let x = Tensor.randomNormal([4, 1, 12, 12], seed: 6), w = Tensor.randomNormal([16, 1, 3, 3], seed: 7)
        let b = Tensor.randomNormal([16], seed: 8)
        try check("conv 1 channel", [x, w, b], unrounded: [2], probeShape: [4, 16, 12, 12]) {
            $0[0].conv2d($0[1], bias: $0[2], padding: (1, 1))
        }
    }

    func testMatmulPlainTransposedAndBatched() throws {
        try check("matmul", [Tensor.randomNormal([5, 40], seed: 9), Tensor.randomNormal([40, 7], seed: 10)],
                  probeShape: [5, 7]) { $0[0].matmul($0[1]) }
        // Stored (40, 5) and (7, 40), multiplied as their transposed views.
        try check("matmul of transposed views",
                  [Tensor.randomNormal([40, 5], seed: 11), Tensor.randomNormal([7, 40], seed: 12)],
                  probeShape: [5, 7]) { $0[0].transposed().matmul($0[1].transposed()) }
        try check("batched matmul", [Tensor.randomNormal([3, 4, 24], seed: 13), Tensor.randomNormal([3, 24, 6], seed: 14)],
                  probeShape: [3, 4, 6]) { $0[0].matmul($0[1]) }
    }

    func testLinearWithBiasAndReLU() throws {
        let x = Tensor.randomNormal([6, 3, 32], seed: 15), w = Tensor.randomNormal([32, 10], seed: 16)
        let b = Tensor.randomNormal([10], seed: 17)
        // The bias is added in Float32 and its gradient summed in Float32.
        try check("linear", [x, w, b], unrounded: [2], float32Gradients: [2], probeShape: [6, 3, 10]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
        try check("linear+relu", [x, w, b], unrounded: [2], float32Gradients: [2], probeShape: [6, 3, 10]) {
            $0[0].linear(weight: $0[1], bias: $0[2], relu: true)
        }
    }

    func testOtherConvolutionKernelsStayFloat32() {
        let x = Tensor.randomNormal([2, 3, 6, 6], seed: 18), w = Tensor.randomNormal([4, 3, 3, 3], seed: 19)
        for algorithm in [ConvolutionAlgorithm.im2colGEMM, .oneDNNPlain] {
            let float32 = x.conv2d(w, algorithm: algorithm)
            let inScope = Precision.with(.bfloat16) { x.conv2d(w, algorithm: algorithm) }
            XCTAssertEqual(inScope.scalars, float32.scalars, "\(algorithm) computes in Float32 in a bf16 scope")
        }
    }

    func testNativeKernelsAreChosenWhereTheCPUHasBFloat16() throws {
        try XCTSkipUnless(Precision.bfloat16IsNative, "oneDNN ISA \(Precision.effectiveISAName) has no native bfloat16")
        let geometry = Conv2DGeometry(input: [128, 32, 14, 14], weight: [64, 32, 3, 3], bias: [64], stride: (1, 1),
                                      padding: (1, 1), dilation: (1, 1), groups: 1)
        for pass in [DNNLConvolution.Pass.forward, .backwardData, .backwardWeights] {
            let implementation = DNNLConvolution.primitive(geometry, pass, hasBias: true, layout: .preferred,
                                                           precision: .bfloat16).implementation
            XCTAssertTrue(implementation.contains("bf16"), "convolution \(pass): \(implementation)")
        }
        for (transposedA, transposedB) in [(false, false), (true, false), (false, true)] {
            let implementation = BFloat16Gemm.implementation(m: 128, n: 256, k: 512, transposedA: transposedA,
                                                             transposedB: transposedB)
            XCTAssertFalse(implementation.hasPrefix("ref"), "matmul \(transposedA) \(transposedB): \(implementation)")
        }
    }
}
