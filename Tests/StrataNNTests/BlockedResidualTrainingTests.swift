import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// `Residual` blocks inside the blocked training segments of a `Sequential`: which runs they join, and
/// one training step with segments on and off (`TrainingSegmentCompiler.isEnabled`) giving the same
/// outputs, gradients and moving statistics.
final class BlockedResidualTrainingTests: XCTestCase {
    override func tearDown() {
        TrainingSegmentCompiler.isEnabled = true
    }

    /// A small ResNet: a stem, an identity block (ReLU after the sum), a stride-2 block with a 1×1
    /// projection and batch normalization on the shortcut (ReLU after the sum, or not), an identity
    /// block without one, then pooling and a dense head.
    private func resnet(reluAfterProjection: Bool) -> Sequential {
        Sequential {
            Conv2D(6, kernelSize: 3, padding: .same, useBias: false); BatchNormalization(); ReLU()
            Residual {
                Conv2D(6, kernelSize: 3, padding: .same, useBias: false); BatchNormalization(); ReLU()
                Conv2D(6, kernelSize: 3, padding: .same, useBias: false); BatchNormalization()
            }
            ReLU()
            Residual(shortcut: Sequential { Conv2D(18, kernelSize: 1, strides: 2, useBias: false); BatchNormalization() }) {
                Conv2D(18, kernelSize: 3, strides: 2, padding: .same, useBias: false); BatchNormalization(); ReLU()
                Conv2D(18, kernelSize: 3, padding: .same, useBias: false); BatchNormalization()
            }
            if reluAfterProjection { ReLU() }
            Residual { Conv2D(18, kernelSize: 3, padding: .same, activation: .relu) }
            GlobalAveragePool2D()
            Dense(3)
        }
    }

    /// The stem and all three blocks (with the ReLUs after them) form one run; dropout in a block's body
    /// or an activation a segment lacks keeps that block out, and a block may start a run.
    func testResidualBlocksJoinTheRun() throws {
        var generator = RandomGenerator(seed: 1)
        let model = resnet(reluAfterProjection: true)
        XCTAssertEqual(TrainingSegmentCompiler.runs(model.layers), [], "layers not built yet")
        _ = try model.build(inputShape: [2, 8, 8], generator: &generator)
        XCTAssertEqual(TrainingSegmentCompiler.runs(model.layers), [0..<8])
        let mixed = Sequential {
            Residual { Conv2D(4, kernelSize: 3, padding: .same); BatchNormalization() }
            ReLU()
            Residual { Conv2D(4, kernelSize: 3, padding: .same); Dropout(0.5) }
            Conv2D(4, kernelSize: 3, padding: .same, activation: .relu)
            Residual { Conv2D(4, kernelSize: 3, padding: .same, activation: .gelu) }
            Flatten()
        }
        _ = try mixed.build(inputShape: [4, 6, 6], generator: &generator)
        XCTAssertEqual(TrainingSegmentCompiler.runs(mixed.layers), [0..<2, 3..<4])
    }

    /// One training step of the small ResNet with segments and layer by layer: the output, the input
    /// gradient, every parameter gradient and every moving statistic agree, with and without the ReLU
    /// after the projection block; an odd batch.
    func testResidualNetworkTrainingMatchesTheLayersOneByOne() throws {
        for reluAfterProjection in [true, false] {
            var results: [(output: [Float], input: [Float], grads: [[Float]], buffers: [[Float]])] = []
            for blocked in [true, false] {
                TrainingSegmentCompiler.isEnabled = blocked
                let model = resnet(reluAfterProjection: reluAfterProjection)
                var generator = RandomGenerator(seed: 3)
                _ = try model.build(inputShape: [2, 8, 8], generator: &generator)
                XCTAssertEqual(TrainingSegmentCompiler.runs(model.layers).count, 1)
                let input = Tensor.randomNormal([3, 2, 8, 8], seed: 4, requiresGrad: true)
                let output = model.forward(input, training: true)
                try output.backward(gradient: Tensor.randomNormal(output.shape, seed: 5))
                results.append((output.scalars, input.grad!.scalars, model.parameters.map { $0.tensor.grad!.scalars },
                                model.buffers.map { $0.tensor.scalars }))
            }
            let (blocked, reference) = (results[0], results[1])
            let label = "ReLU after the projection block: \(reluAfterProjection)"
            assertScaledClose(blocked.output, reference.output, "output; \(label)")
            assertScaledClose(blocked.input, reference.input, "input gradient; \(label)")
            XCTAssertEqual(blocked.grads.count, 22)
            for (index, pair) in zip(blocked.grads, reference.grads).enumerated() {
                assertScaledClose(pair.0, pair.1, "parameter gradient \(index); \(label)")
            }
            XCTAssertEqual(blocked.buffers.count, 12)
            for (index, pair) in zip(blocked.buffers, reference.buffers).enumerated() {
                assertScaledClose(pair.0, pair.1, "moving statistic \(index); \(label)")
            }
        }
    }

    /// Close within 1e-4 relative, and 1e-5 of the reference's largest magnitude (sums in another order).
    private func assertScaledClose(_ actual: [Float], _ expected: [Float], _ message: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
        let scale = expected.map(abs).max() ?? 0
        assertClose(actual, expected, rtol: 1e-4, atol: 1e-5 * max(scale, 1e-3), message, file: file, line: line)
    }
}
