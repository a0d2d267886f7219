import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// Blocked training segments under `Precision.with(.bfloat16)` (bfloat16 operands and activations,
/// Float32 accumulation, weights and statistics) against the Float32 segments and against bfloat16 layer
/// by layer, within bfloat16's rounding. Skipped where oneDNN has no native bfloat16.
final class BlockedBFloat16TrainingTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(Precision.bfloat16IsNative, "oneDNN has no native bfloat16 here (\(Precision.effectiveISAName))")
    }

    private let float32NormalizationInputs = BlockedTrainingSegment.float32NormalizationInputs

    override func tearDown() {
        TrainingSegmentCompiler.isEnabled = true
        BlockedTrainingSegment.float32NormalizationInputs = float32NormalizationInputs
    }

    /// A small network with every kind of segment operation: a convolution with bias and ReLU, max
    /// pooling, batch normalization, an identity block, a stride-2 projection block, average pooling.
    private func network() -> Sequential {
        Sequential {
            Conv2D(8, kernelSize: 3, padding: .same, activation: .relu); MaxPool2D(2)
            Conv2D(16, kernelSize: 3, padding: .same, useBias: false); BatchNormalization(); ReLU()
            Residual {
                Conv2D(16, kernelSize: 3, padding: .same, useBias: false); BatchNormalization(); ReLU()
                Conv2D(16, kernelSize: 3, padding: .same, useBias: false); BatchNormalization()
            }
            ReLU()
            Residual(shortcut: Sequential { Conv2D(24, kernelSize: 1, strides: 2, useBias: false); BatchNormalization() }) {
                Conv2D(24, kernelSize: 3, strides: 2, padding: .same, useBias: false); BatchNormalization(); ReLU()
                Conv2D(24, kernelSize: 3, padding: .same, useBias: false); BatchNormalization()
            }
            ReLU()
            AveragePool2D(2)
            Flatten()
            Dense(3)
        }
    }

    /// One training step: the output, the input gradient and every parameter gradient.
    private func step(precision: Precision, segments: Bool) throws -> (output: [Float], gradients: [[Float]]) {
        TrainingSegmentCompiler.isEnabled = segments
        let model = network()
        var generator = RandomGenerator(seed: 11)
        _ = try model.build(inputShape: [3, 16, 16], generator: &generator)
        XCTAssertEqual(TrainingSegmentCompiler.runs(model.layers), [0..<10])
        let input = Tensor.randomNormal([4, 3, 16, 16], seed: 12, requiresGrad: true)
        return try Precision.with(precision) {
            let output = model.forward(input, training: true)
            try output.backward(gradient: Tensor.randomNormal(output.shape, seed: 13))
            return (output.scalars, [input.grad!.scalars] + model.parameters.map { $0.tensor.grad!.scalars })
        }
    }

    /// ‖actual − expected‖ / ‖expected‖.
    private func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
        XCTAssertEqual(actual.count, expected.count)
        let difference = zip(actual, expected).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        return (difference / max(expected.map { $0 * $0 }.reduce(0, +), .leastNormalMagnitude)).squareRoot()
    }

    /// The bfloat16 segments are within bfloat16's rounding of the Float32 segments (and not equal to
    /// them: the activations really are rounded), and of bfloat16 layer by layer. Through five batch
    /// normalizations the gradients of the existing bfloat16 path are themselves 1–12% (relative norm)
    /// from Float32's on this network, so the bound is twice that path's error plus 1%, and 20% between
    /// the two bfloat16 paths (a wrong gradient is off by ~100%).
    /// Both with the batch normalizations' inputs rounded to bfloat16 and kept in Float32.
    func testBFloat16SegmentsMatchFloat32AndLayerByLayer() throws {
        for keepFloat32 in [false, true] {
            BlockedTrainingSegment.float32NormalizationInputs = keepFloat32
            try assertBFloat16SegmentsMatchFloat32AndLayerByLayer()
        }
    }

    /// Keeping the batch normalizations' inputs in Float32 brings the output and the input's gradient
    /// (which goes back through all five normalizations) closer to Float32's than rounding them.
    func testFloat32NormalizationInputsAreCloserToFloat32() throws {
        let float32 = try step(precision: .float32, segments: true)
        BlockedTrainingSegment.float32NormalizationInputs = false
        let rounded = try step(precision: .bfloat16, segments: true)
        BlockedTrainingSegment.float32NormalizationInputs = true
        let kept = try step(precision: .bfloat16, segments: true)
        XCTAssertNotEqual(kept.output, rounded.output, "the setting should change the plan")
        XCTAssertLessThan(relativeError(kept.output, float32.output), relativeError(rounded.output, float32.output))
        XCTAssertLessThan(relativeError(kept.gradients[0], float32.gradients[0]),
                          relativeError(rounded.gradients[0], float32.gradients[0]))
    }

    private func assertBFloat16SegmentsMatchFloat32AndLayerByLayer() throws {
        let label = "float32NormalizationInputs \(BlockedTrainingSegment.float32NormalizationInputs)"
        let blocked = try step(precision: .bfloat16, segments: true)
        let float32 = try step(precision: .float32, segments: true)
        let layerByLayer = try step(precision: .bfloat16, segments: false)
        XCTAssertNotEqual(blocked.output, float32.output, "the bfloat16 segment should round, \(label)")
        XCTAssertLessThan(relativeError(blocked.output, float32.output), 2e-2, "output against Float32 segments, \(label)")
        XCTAssertLessThan(relativeError(blocked.output, layerByLayer.output), 2e-2, "output against bfloat16 layer by layer, \(label)")
        XCTAssertEqual(blocked.gradients.count, 23)
        for index in blocked.gradients.indices {
            let (actual, expected) = (blocked.gradients[index], float32.gradients[index])
            let bound = 2 * relativeError(layerByLayer.gradients[index], expected) + 1e-2
            XCTAssertLessThan(relativeError(actual, expected), bound,
                              "gradient \(index) (0 is the input) against Float32 segments, \(label)")
            XCTAssertLessThan(relativeError(actual, layerByLayer.gradients[index]), 0.2,
                              "gradient \(index) (0 is the input) against bfloat16 layer by layer, \(label)")
        }
    }
}
