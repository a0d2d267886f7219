import StrataCore
import StrataTestSupport
import XCTest

/// `BlockedTrainingSegment` (convolutions, ReLUs and poolings trained in oneDNN's blocked layouts as one
/// op) against the layer-by-layer tensor ops it replaces: outputs, input gradients and every weight
/// and bias gradient, within float rounding.
final class BlockedTrainingSegmentTests: XCTestCase {
    /// One operation of a test network, applied either as a segment operation or as tensor ops.
    private enum Operation {
        case convolution(weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
                         paddingEnd: (Int, Int)?, dilation: (Int, Int), groups: Int, relu: Bool)
        case pool(PoolingKind, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int))
        case relu
        case normalization(gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, relu: Bool)
    }

    private func normalization(_ channels: Int, seed: UInt64, relu: Bool) -> Operation {
        .normalization(gamma: Tensor.randomUniform([channels], lower: 0.5, upper: 1.5, seed: seed, requiresGrad: true),
                       beta: Tensor.randomNormal([channels], standardDeviation: 0.3, seed: seed + 1, requiresGrad: true),
                       runningMean: Tensor.randomNormal([channels], standardDeviation: 0.3, seed: seed + 2),
                       runningVar: Tensor.randomUniform([channels], lower: 0.5, upper: 2, seed: seed + 3), relu: relu)
    }

    private func convolution(_ inChannels: Int, _ outChannels: Int, kernel: Int, seed: UInt64, bias: Bool = true,
                             stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), paddingEnd: (Int, Int)? = nil,
                             dilation: (Int, Int) = (1, 1), groups: Int = 1, relu: Bool = true) -> Operation {
        let weight = Tensor.randomNormal([outChannels, inChannels / groups, kernel, kernel], standardDeviation: 0.3,
                                         seed: seed, requiresGrad: true)
        let shift = bias ? Tensor.randomNormal([outChannels], standardDeviation: 0.1, seed: seed + 1, requiresGrad: true) : nil
        return .convolution(weight: weight, bias: shift, stride: stride, padding: padding, paddingEnd: paddingEnd,
                            dilation: dilation, groups: groups, relu: relu)
    }

    private func segment(_ operations: [Operation]) -> BlockedTrainingSegment {
        var segment = BlockedTrainingSegment()
        for operation in operations {
            switch operation {
            case let .convolution(weight, bias, stride, padding, paddingEnd, dilation, groups, relu):
                segment.convolution(weight: weight, bias: bias, stride: stride, padding: padding, paddingEnd: paddingEnd,
                                    dilation: dilation, groups: groups, relu: relu)
            case let .pool(kind, kernel, stride, padding):
                segment.pool(kind: kind, kernel: kernel, stride: stride, padding: padding)
            case .relu:
                segment.relu()
            case let .normalization(gamma, beta, runningMean, runningVar, relu):
                segment.batchNormalization(gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                                           momentum: 0.1, epsilon: 1e-3, relu: relu)
            }
        }
        return segment
    }

    /// The reference: `conv2d`, `relu`, `maxPool2d` and `avgPool2d` one after another.
    private func layerByLayer(_ input: Tensor, _ operations: [Operation]) -> Tensor {
        operations.reduce(input) { x, operation in
            switch operation {
            case let .convolution(weight, bias, stride, padding, paddingEnd, dilation, groups, relu):
                let y = x.conv2d(weight, bias: bias, stride: stride, padding: padding, paddingEnd: paddingEnd,
                                 dilation: dilation, groups: groups)
                return relu ? y.relu() : y
            case let .pool(.max, kernel, stride, padding):
                return x.maxPool2d(kernel: kernel, stride: stride, padding: padding)
            case let .pool(.average, kernel, stride, padding):
                return x.avgPool2d(kernel: kernel, stride: stride, padding: padding)
            case .relu:
                return x.relu()
            case let .normalization(gamma, beta, runningMean, runningVar, relu):
                return x.batchNorm2d(gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                                     training: true, momentum: 0.1, epsilon: 1e-3, relu: relu)
            }
        }
    }

    private func parameters(_ operations: [Operation]) -> [Tensor] {
        operations.flatMap { operation -> [Tensor] in
            switch operation {
            case let .convolution(weight, bias, _, _, _, _, _, _): return [weight] + (bias.map { [$0] } ?? [])
            case let .normalization(gamma, beta, _, _, _): return [gamma, beta]
            case .pool, .relu: return []
            }
        }
    }

    /// The running statistics of the batch normalizations, which a training pass updates in place.
    private func runningStatistics(_ operations: [Operation]) -> [Tensor] {
        operations.flatMap { operation -> [Tensor] in
            guard case let .normalization(_, _, mean, variance, _) = operation else { return [] }
            return [mean, variance]
        }
    }

    /// Runs both paths on `input` with the same output gradient and compares the output, the input's
    /// gradient (when it requires one) and every parameter's gradient.
    private func assertMatchesLayerByLayer(_ input: Tensor, _ operations: [Operation],
                                           file: StaticString = #filePath, line: UInt = #line) throws {
        var results: [(output: Tensor, gradients: [Tensor?], statistics: [Tensor])] = []
        let statistics = runningStatistics(operations), initial = statistics.map { $0.copy() }
        for blocked in [true, false] {
            for (tensor, start) in zip(statistics, initial) {
                tensor.pointer.update(from: start.pointer, count: start.count)
                tensor.storage.bumpVersion()
            }
            let tensors = [input] + parameters(operations)
            for tensor in tensors { tensor.zeroGrad() }
            let output = blocked ? segment(operations).forward(input) : layerByLayer(input, operations)
            try output.backward(gradient: Tensor.randomNormal(output.shape, seed: 99))
            results.append((output, tensors.map(\.grad), statistics.map { $0.copy() }))
        }
        assertScaledClose(results[0].output, results[1].output, "output", file: file, line: line)
        for (index, (blocked, reference)) in zip(results[0].statistics, results[1].statistics).enumerated() {
            assertScaledClose(blocked, reference, "running statistic \(index)", file: file, line: line)
        }
        for (index, (blocked, reference)) in zip(results[0].gradients, results[1].gradients).enumerated() {
            guard let reference else {
                XCTAssertNil(blocked, "gradient \(index) should be absent", file: file, line: line)
                continue
            }
            guard let blocked else { return XCTFail("gradient \(index) missing", file: file, line: line) }
            assertScaledClose(blocked, reference, "gradient \(index) (0 is the input)", file: file, line: line)
        }
    }

    /// Close within 1e-5 relative, and 1e-5 of the reference's largest magnitude (sums in another order).
    private func assertScaledClose(_ actual: Tensor, _ expected: Tensor, _ message: String,
                                   file: StaticString, line: UInt) {
        let scale = expected.scalars.map(abs).max() ?? 0
        assertClose(actual, expected, rtol: 1e-5, atol: 1e-5 * max(scale, 1e-3), message, file: file, line: line)
    }

    /// The default `cnn`'s shape: a 1-channel input, conv + ReLU, max pool, twice; an odd batch.
    func testConvolutionReLUMaxPoolChainFromOneChannelMatches() throws {
        let input = Tensor.randomNormal([3, 1, 14, 14], seed: 1, requiresGrad: true)
        try assertMatchesLayerByLayer(input, [
            convolution(1, 5, kernel: 3, seed: 2), .pool(.max, kernel: (2, 2), stride: (2, 2), padding: (0, 0)),
            convolution(5, 7, kernel: 3, seed: 4), .pool(.max, kernel: (2, 2), stride: (2, 2), padding: (0, 0)),
        ])
    }

    /// Strides, padding on one side only, dilation, no bias, a separate ReLU, average pooling that
    /// counts its padding, overlapping max pooling, and channel counts that are not multiples of 16.
    func testStridePaddingDilationAndAveragePoolingMatch() throws {
        let input = Tensor.randomNormal([2, 3, 13, 13], seed: 10, requiresGrad: true)
        try assertMatchesLayerByLayer(input, [
            convolution(3, 20, kernel: 3, seed: 11, stride: (2, 2), padding: (1, 1), paddingEnd: (0, 0), relu: false),
            .relu, .pool(.average, kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
            convolution(20, 17, kernel: 2, seed: 13, bias: false, dilation: (2, 2)),
            .pool(.max, kernel: (3, 3), stride: (1, 1), padding: (1, 1)),
        ])
    }

    /// Wide layers (blocks of 16 channels plus a remainder), grouped convolution, batch 5, and an input
    /// that needs no gradient (the first layer of a network): the weight gradients still match.
    func testWideGroupedChainWithoutInputGradientMatches() throws {
        let input = Tensor.randomNormal([5, 16, 10, 10], seed: 20)
        try assertMatchesLayerByLayer(input, [
            convolution(16, 32, kernel: 3, seed: 21, padding: (1, 1)),
            convolution(32, 34, kernel: 3, seed: 23, groups: 2), .pool(.max, kernel: (2, 2), stride: (2, 2), padding: (0, 0)),
            convolution(34, 33, kernel: 1, seed: 25),
        ])
    }

    /// `vgg`'s shape: convolutions without bias, each followed by batch normalization with the batch's
    /// statistics (a fused ReLU, and one without), "same" padding, max pooling; the running statistics
    /// are updated as `batchNorm2d` updates them.
    func testConvolutionBatchNormalizationChainMatches() throws {
        let input = Tensor.randomNormal([3, 3, 10, 10], seed: 50, requiresGrad: true)
        try assertMatchesLayerByLayer(input, [
            convolution(3, 20, kernel: 3, seed: 51, bias: false, padding: (1, 1), relu: false),
            normalization(20, seed: 53, relu: true),
            convolution(20, 17, kernel: 3, seed: 57, bias: false, padding: (1, 1), relu: false),
            normalization(17, seed: 59, relu: false), .relu,
            .pool(.max, kernel: (2, 2), stride: (2, 2), padding: (0, 0)),
        ])
    }

    /// Finite differences through a small segment (convolution + ReLU, average pooling, convolution).
    func testGradientsMatchFiniteDifferences() {
        let input = Tensor.randomNormal([2, 2, 6, 6], seed: 30, requiresGrad: true)
        let weight = Tensor.randomNormal([3, 2, 3, 3], standardDeviation: 0.5, seed: 31, requiresGrad: true)
        let bias = Tensor.randomNormal([3], standardDeviation: 0.1, seed: 32, requiresGrad: true)
        let weight2 = Tensor.randomNormal([4, 3, 2, 2], standardDeviation: 0.5, seed: 33, requiresGrad: true)
        checkGradients("blocked segment", inputs: [input, weight, bias, weight2], epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) { x in
            var segment = BlockedTrainingSegment()
            segment.convolution(weight: x[1], bias: x[2], relu: true)
            segment.pool(kind: .average, kernel: (2, 2), stride: (1, 1))
            segment.convolution(weight: x[3])
            return segment.forward(x[0])
        }
    }

    /// A weight changed in place between steps (as an optimizer does) is reordered again, and two forward
    /// passes pending before one backward pass (a siamese network) keep their own activations.
    func testChangedWeightsAndTwoPendingForwardPasses() throws {
        let operations = [convolution(2, 18, kernel: 3, seed: 40), .pool(.max, kernel: (2, 2), stride: (2, 2), padding: (0, 0))]
        let a = Tensor.randomNormal([2, 2, 8, 8], seed: 41), b = Tensor.randomNormal([2, 2, 8, 8], seed: 42)
        _ = segment(operations).forward(a)
        guard case let .convolution(weight, _, _, _, _, _, _, _) = operations[0] else { return XCTFail() }
        for i in 0..<weight.count { weight.pointer[i] *= -1.5 }
        weight.storage.bumpVersion()
        var gradients: [[Tensor?]] = []
        for blocked in [true, false] {
            let tensors = parameters(operations)
            for tensor in tensors { tensor.zeroGrad() }
            let run = { (x: Tensor) in blocked ? self.segment(operations).forward(x) : self.layerByLayer(x, operations) }
            let first = run(a), second = run(b)
            try ((first * first).sum() + second.sum()).backward()
            gradients.append(tensors.map(\.grad))
            if !blocked { assertScaledClose(segment(operations).forward(a), layerByLayer(a, operations), "output", file: #filePath, line: #line) }
        }
        for (blocked, reference) in zip(gradients[0], gradients[1]) {
            assertScaledClose(blocked!, reference!, "parameter gradient", file: #filePath, line: #line)
        }
    }
}
