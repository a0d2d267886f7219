import StrataCore
import StrataTestSupport
import XCTest

/// Residual blocks inside a `BlockedTrainingSegment` (`residual(_:shortcut:relu:)`) against the same
/// network written with the layer-by-layer tensor ops (`conv2d`, `batchNorm2d`, `+`, `addReLU`), and
/// against finite differences.
final class BlockedResidualSegmentTests: XCTestCase {
    /// The tensors of a small ResNet piece: a stem convolution, an identity block and a block that
    /// halves the resolution with a 1×1 stride-2 projection (each conv → BN → ReLU → conv → BN).
    private struct Network {
        let stem: Tensor
        let weights: [Tensor]          // identity block: 2, projection block: 2, projection: 1
        let gammas: [Tensor], betas: [Tensor]
        let means: [Tensor], variances: [Tensor]

        init(channels: Int, wide: Int, seed: UInt64) {
            func weight(_ o: Int, _ i: Int, _ k: Int, _ s: UInt64) -> Tensor {
                Tensor.randomNormal([o, i, k, k], standardDeviation: 0.4, seed: seed + s, requiresGrad: true)
            }
            stem = weight(channels, 2, 3, 0)
            weights = [weight(channels, channels, 3, 1), weight(channels, channels, 3, 2),
                       weight(wide, channels, 3, 3), weight(wide, wide, 3, 4), weight(wide, channels, 1, 5)]
            let sizes = [channels, channels, wide, wide, wide]
            gammas = sizes.enumerated().map { Tensor.randomUniform([$1], lower: 0.5, upper: 1.5, seed: seed + 10 + UInt64($0), requiresGrad: true) }
            betas = sizes.enumerated().map { Tensor.randomNormal([$1], standardDeviation: 0.3, seed: seed + 20 + UInt64($0), requiresGrad: true) }
            means = sizes.map { Tensor.zeros([$0]) }
            variances = sizes.map { Tensor.ones([$0]) }
        }

        var parameters: [Tensor] { [stem] + weights + gammas + betas }

        /// Both blocks, with or without the ReLU after each addition, as one segment.
        func segment(relu: Bool) -> BlockedTrainingSegment {
            var segment = BlockedTrainingSegment()
            segment.convolution(weight: stem, padding: (1, 1), relu: true)
            for block in 0..<2 {
                var body = BlockedTrainingSegment()
                body.convolution(weight: weights[2 * block], stride: block == 0 ? (1, 1) : (2, 2), padding: (1, 1))
                normalize(&body, 2 * block, relu: true)
                body.convolution(weight: weights[2 * block + 1], padding: (1, 1))
                normalize(&body, 2 * block + 1, relu: false)
                var projection: BlockedTrainingSegment?
                if block == 1 {
                    var shortcut = BlockedTrainingSegment()
                    shortcut.convolution(weight: weights[4], stride: (2, 2))
                    normalize(&shortcut, 4, relu: false)
                    projection = shortcut
                }
                segment.residual(body, shortcut: projection, relu: relu)
            }
            return segment
        }

        private func normalize(_ segment: inout BlockedTrainingSegment, _ index: Int, relu: Bool) {
            segment.batchNormalization(gamma: gammas[index], beta: betas[index], runningMean: means[index],
                                       runningVar: variances[index], momentum: 0.1, epsilon: 1e-3, relu: relu)
        }

        /// The same network with the tensor ops one by one.
        func layerByLayer(_ input: Tensor, relu: Bool) -> Tensor {
            func normalize(_ x: Tensor, _ index: Int, relu: Bool) -> Tensor {
                x.batchNorm2d(gamma: gammas[index], beta: betas[index], runningMean: means[index],
                              runningVar: variances[index], training: true, momentum: 0.1, epsilon: 1e-3, relu: relu)
            }
            var x = input.conv2d(stem, padding: (1, 1)).relu()
            for block in 0..<2 {
                let stride = block == 0 ? (1, 1) : (2, 2)
                var y = normalize(x.conv2d(weights[2 * block], stride: stride, padding: (1, 1)), 2 * block, relu: true)
                y = normalize(y.conv2d(weights[2 * block + 1], padding: (1, 1)), 2 * block + 1, relu: false)
                let side = block == 1 ? normalize(x.conv2d(weights[4], stride: (2, 2)), 4, relu: false) : x
                x = relu ? Tensor.addReLU(y, side) : y + side
            }
            return x
        }

        func resetStatistics() {
            for tensor in means { tensor.pointer.update(repeating: 0, count: tensor.count); tensor.storage.bumpVersion() }
            for tensor in variances { tensor.pointer.update(repeating: 1, count: tensor.count); tensor.storage.bumpVersion() }
        }
    }

    /// Identity and projection shortcuts, with and without the ReLU after the addition, 17 and 20
    /// channels (blocks of 16 plus a remainder): output, input gradient, every parameter gradient and
    /// the running statistics agree with the tensor ops.
    func testResidualBlocksMatchTheTensorOps() throws {
        for relu in [true, false] {
            let network = Network(channels: 17, wide: 20, seed: 100)
            let input = Tensor.randomNormal([3, 2, 8, 8], seed: 1, requiresGrad: true)
            var results: [(output: Tensor, gradients: [Tensor], statistics: [Tensor])] = []
            for blocked in [true, false] {
                network.resetStatistics()
                let tensors = [input] + network.parameters
                for tensor in tensors { tensor.zeroGrad() }
                let output = blocked ? network.segment(relu: relu).forward(input) : network.layerByLayer(input, relu: relu)
                XCTAssertEqual(output.shape, [3, 20, 4, 4])
                try output.backward(gradient: Tensor.randomNormal(output.shape, seed: 2))
                results.append((output, tensors.map { $0.grad! }, (network.means + network.variances).map { $0.copy() }))
            }
            assertScaledClose(results[0].output, results[1].output, "output (relu \(relu))")
            for (index, (blocked, reference)) in zip(results[0].gradients, results[1].gradients).enumerated() {
                assertScaledClose(blocked, reference, "gradient \(index) (0 is the input; relu \(relu))")
            }
            for (index, (blocked, reference)) in zip(results[0].statistics, results[1].statistics).enumerated() {
                assertScaledClose(blocked, reference, "running statistic \(index) (relu \(relu))")
            }
        }
    }

    /// A block that starts the segment (its input arrives in NCHW) and needs no input gradient: the
    /// parameter gradients still match and the input gets none.
    func testSegmentStartingWithABlockWithoutInputGradient() throws {
        let weight = Tensor.randomNormal([3, 3, 3, 3], standardDeviation: 0.4, seed: 7, requiresGrad: true)
        let bias = Tensor.randomNormal([3], standardDeviation: 0.1, seed: 8, requiresGrad: true)
        let input = Tensor.randomNormal([2, 3, 5, 5], seed: 9)
        var gradients: [[Tensor]] = [], outputs: [Tensor] = []
        for blocked in [true, false] {
            weight.zeroGrad()
            bias.zeroGrad()
            let output: Tensor
            if blocked {
                var body = BlockedTrainingSegment(), segment = BlockedTrainingSegment()
                body.convolution(weight: weight, bias: bias, padding: (1, 1))
                segment.residual(body, relu: true)
                output = segment.forward(input)
            } else {
                output = Tensor.addReLU(input.conv2d(weight, bias: bias, padding: (1, 1)), input)
            }
            try (output * output).sum().backward()
            outputs.append(output)
            gradients.append([weight.grad!, bias.grad!])
            XCTAssertNil(input.grad)
        }
        assertScaledClose(outputs[0], outputs[1], "output")
        assertScaledClose(gradients[0][0], gradients[1][0], "weight gradient")
        assertScaledClose(gradients[0][1], gradients[1][1], "bias gradient")
    }

    /// Finite differences through a small segment with an identity block (ReLU after the sum) and a
    /// projection block (stride 2, no ReLU after the sum).
    func testGradientsMatchFiniteDifferences() {
        let input = Tensor.randomNormal([2, 3, 6, 6], seed: 30, requiresGrad: true)
        let w1 = Tensor.randomNormal([3, 3, 3, 3], standardDeviation: 0.4, seed: 31, requiresGrad: true)
        let b1 = Tensor.randomNormal([3], standardDeviation: 0.1, seed: 32, requiresGrad: true)
        let w2 = Tensor.randomNormal([4, 3, 3, 3], standardDeviation: 0.4, seed: 33, requiresGrad: true)
        let w3 = Tensor.randomNormal([4, 3, 1, 1], standardDeviation: 0.4, seed: 34, requiresGrad: true)
        checkGradients("blocked residual segment", inputs: [input, w1, b1, w2, w3], epsilon: 1e-3, rtol: 1e-2,
                       atol: 1e-3) { x in
            var identityBody = BlockedTrainingSegment(), projectionBody = BlockedTrainingSegment()
            var projection = BlockedTrainingSegment(), segment = BlockedTrainingSegment()
            identityBody.convolution(weight: x[1], bias: x[2], padding: (1, 1))
            projectionBody.convolution(weight: x[3], stride: (2, 2), padding: (1, 1), relu: true)
            projection.convolution(weight: x[4], stride: (2, 2))
            segment.residual(identityBody, relu: true)
            segment.residual(projectionBody, shortcut: projection)
            return segment.forward(x[0])
        }
    }

    /// Close within 1e-4 relative, and 1e-5 of the reference's largest magnitude (sums in another order).
    private func assertScaledClose(_ actual: Tensor, _ expected: Tensor, _ message: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
        let scale = expected.scalars.map(abs).max() ?? 0
        assertClose(actual, expected, rtol: 1e-4, atol: 1e-5 * max(scale, 1e-3), message, file: file, line: line)
    }
}
