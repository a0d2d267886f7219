import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// `Sequential` trains runs of Conv2D / ReLU / pooling layers as one `BlockedTrainingSegment`; the
/// results must be those of the layers one by one (`TrainingSegmentCompiler.isEnabled = false`).
final class BlockedTrainingTests: XCTestCase {
    override func tearDown() {
        TrainingSegmentCompiler.isEnabled = true
    }

    /// Which layers form segments: runs that start at a convolution and hold more than a bare
    /// convolution; dropout, other activations and dense layers end them.
    func testRunsStartAtConvolutionsAndStopAtOtherLayers() throws {
        let cnn = Sequential {
            Conv2D(32, kernelSize: 3, activation: .relu); MaxPool2D(2)
            Conv2D(64, kernelSize: 3, activation: .relu); MaxPool2D(2); Flatten(); Dropout(0.2); Dense(10)
        }
        let mixed = Sequential {
            MaxPool2D(2); Conv2D(4, kernelSize: 3); ReLU(); Conv2D(4, kernelSize: 3); BatchNormalization(); ReLU()
            Conv2D(4, kernelSize: 3, activation: .gelu); Conv2D(4, kernelSize: 3); AveragePool2D(2); Dropout(0.5)
            Conv2D(4, kernelSize: 1)
        }
        XCTAssertEqual(TrainingSegmentCompiler.runs(cnn.layers), [], "layers not built yet")
        var generator = RandomGenerator(seed: 1)
        _ = try cnn.build(inputShape: [1, 28, 28], generator: &generator)
        _ = try mixed.build(inputShape: [1, 28, 28], generator: &generator)
        XCTAssertEqual(TrainingSegmentCompiler.runs(cnn.layers), [0..<4])
        XCTAssertEqual(TrainingSegmentCompiler.runs(mixed.layers), [1..<6, 7..<9])
    }

    /// A small convnet with a 1-channel input (the segment starts the network), channels that are not
    /// multiples of 16, a separate ReLU, average and max pooling, "same" padding and strides, an odd
    /// batch: output, input gradient and every parameter gradient agree with the layers one by one.
    func testSequentialTrainingMatchesTheLayersOneByOne() throws {
        var results: [(output: [Float], input: [Float], grads: [[Float]])] = []
        for blocked in [true, false] {
            TrainingSegmentCompiler.isEnabled = blocked
            let model = Sequential {
                Conv2D(6, kernelSize: 3, activation: .relu)
                MaxPool2D(2)
                Conv2D(18, kernelSize: 3, strides: 2, padding: .same)
                ReLU()
                AveragePool2D(2, strides: 1, padding: .sameKeras)
                Conv2D(5, kernelSize: 1, activation: .relu)
                Flatten()
                Dense(3)
            }
            var generator = RandomGenerator(seed: 3)
            _ = try model.build(inputShape: [1, 14, 14], generator: &generator)
            XCTAssertEqual(TrainingSegmentCompiler.runs(model.layers), [0..<6])
            let input = Tensor.randomNormal([3, 1, 14, 14], seed: 4, requiresGrad: true)
            let output = model.forward(input, training: true)
            try output.backward(gradient: Tensor.randomNormal(output.shape, seed: 5))
            results.append((output.scalars, input.grad!.scalars, model.parameters.map { $0.tensor.grad!.scalars }))
        }
        let (blocked, reference) = (results[0], results[1])
        assertClose(blocked.output, reference.output, rtol: 1e-5, atol: 1e-6, "output")
        assertClose(blocked.input, reference.input, rtol: 1e-5, atol: 1e-6, "input gradient")
        XCTAssertEqual(blocked.grads.count, 8)
        for (index, pair) in zip(blocked.grads, reference.grads).enumerated() {
            assertClose(pair.0, pair.1, rtol: 1e-5, atol: 1e-5, "parameter gradient \(index)")
        }
    }

    /// Weights written through `pointer` without `bumpVersion()` (as a hand-written optimizer might) are
    /// the weights the next forward pass uses: nothing stale is cached between steps.
    func testWeightsWrittenInPlaceWithoutANewVersionAreUsed() throws {
        var outputs: [[Float]] = []
        for blocked in [true, false] {
            TrainingSegmentCompiler.isEnabled = blocked
            let model = Sequential {
                Conv2D(4, kernelSize: 3, activation: .relu)
                MaxPool2D(2)
            }
            var generator = RandomGenerator(seed: 3)
            _ = try model.build(inputShape: [1, 8, 8], generator: &generator)
            let input = Tensor.randomNormal([2, 1, 8, 8], seed: 4)
            _ = model.forward(input, training: true)
            let kernel = model.parameters[0].tensor
            for i in 0..<kernel.count { kernel.pointer[i] *= -2 }   // no bumpVersion()
            outputs.append(model.forward(input, training: true).scalars)
        }
        assertClose(outputs[0], outputs[1], rtol: 1e-5, atol: 1e-6, "the second forward pass")
    }

    /// `vgg`'s blocks (Conv2D without bias → BatchNormalization → ReLU, max pooling with "same" padding):
    /// outputs, gradients and the moving statistics agree with the layers one by one.
    func testBatchNormalizationBlocksMatchTheLayersOneByOne() throws {
        var results: [(output: [Float], grads: [[Float]], buffers: [[Float]])] = []
        for blocked in [true, false] {
            TrainingSegmentCompiler.isEnabled = blocked
            let model = Sequential {
                for filters in [8, 20] {
                    Conv2D(filters, kernelSize: 3, padding: .same, useBias: false)
                    BatchNormalization()
                    ReLU()
                }
                MaxPool2D(2, padding: .same)
                Flatten()
                Dense(3)
            }
            var generator = RandomGenerator(seed: 8)
            _ = try model.build(inputShape: [1, 9, 9], generator: &generator)
            XCTAssertEqual(TrainingSegmentCompiler.runs(model.layers), [0..<7])
            let input = Tensor.randomNormal([3, 1, 9, 9], seed: 9)
            let output = model.forward(input, training: true)
            try output.backward(gradient: Tensor.randomNormal(output.shape, seed: 10))
            results.append((output.scalars, model.parameters.map { $0.tensor.grad!.scalars },
                            model.buffers.map { $0.tensor.scalars }))
        }
        let (blocked, reference) = (results[0], results[1])
        assertClose(blocked.output, reference.output, rtol: 1e-5, atol: 1e-5, "output")
        for (index, pair) in zip(blocked.grads, reference.grads).enumerated() {
            let scale = pair.1.map(abs).max() ?? 0
            assertClose(pair.0, pair.1, rtol: 1e-4, atol: 1e-5 * max(scale, 1), "parameter gradient \(index)")
        }
        for (index, pair) in zip(blocked.buffers, reference.buffers).enumerated() {
            assertClose(pair.0, pair.1, rtol: 1e-5, atol: 1e-6, "moving statistic \(index)")
        }
    }

    /// In inference the layers run one by one, so the outputs are those of the reference exactly.
    func testInferenceIsUnchanged() throws {
        let model = Sequential { Conv2D(4, kernelSize: 3, activation: .relu); MaxPool2D(2) }
        var generator = RandomGenerator(seed: 6)
        _ = try model.build(inputShape: [2, 8, 8], generator: &generator)
        let input = Tensor.randomNormal([2, 2, 8, 8], seed: 7)
        let blocked = model.forward(input, training: false).scalars
        TrainingSegmentCompiler.isEnabled = false
        XCTAssertEqual(blocked, model.forward(input, training: false).scalars)
    }
}
