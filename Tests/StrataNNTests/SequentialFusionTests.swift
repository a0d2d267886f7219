import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// `Sequential` runs BatchNormalization → ReLU and Residual → ReLU as one fused op, and `Conv2D` with
/// a ReLU computes it in its output buffer; each must give what the layers one by one give.
final class SequentialFusionTests: XCTestCase {
    override func tearDown() {
        Sequential.fusesBatchNormReLU = true
        Sequential.fusesResidualReLU = true
    }

    /// Conv(ReLU) → Residual → ReLU → Flatten → Dense: with the fusions, the same bits as a separate
    /// `ReLU` layer after a linear `Conv2D` and after the residual sum, in outputs and gradients.
    func testFusedResidualAndConvolutionReLUGiveTheSameBits() throws {
        var results: [(output: [Float], grads: [[Float]])] = []
        for fused in [true, false] {
            Sequential.fusesResidualReLU = fused
            let model = Sequential {
                if fused { Conv2D(4, kernelSize: 3, padding: .same, activation: .relu) } else {
                    Conv2D(4, kernelSize: 3, padding: .same)
                    ReLU()
                }
                Residual(shortcut: Conv2D(3, kernelSize: 1)) { Conv2D(3, kernelSize: 3, padding: .same) }
                ReLU()
                Flatten()
                Dense(2)
            }
            var generator = RandomGenerator(seed: 8)
            _ = try model.build(inputShape: [2, 5, 5], generator: &generator)
            let output = model.forward(Tensor.randomNormal([3, 2, 5, 5], seed: 9), training: true)
            try output.backward(gradient: Tensor.randomNormal(output.shape, seed: 10))
            results.append((output.scalars, model.parameters.map { $0.tensor.grad!.scalars }))
        }
        XCTAssertEqual(results[0].output.map(\.bitPattern), results[1].output.map(\.bitPattern))
        XCTAssertEqual(results[0].grads.count, 8)
        XCTAssertEqual(results[0].grads.map { $0.map(\.bitPattern) }, results[1].grads.map { $0.map(\.bitPattern) })
    }

    /// Conv → BN → ReLU → Conv → BN (no ReLU) → Flatten → Dense: outputs, parameter gradients and the
    /// moving statistics agree with and without fusion, in training and in inference.
    func testFusedBatchNormReLUMatchesTheLayersOneByOne() throws {
        for training in [true, false] {
            var results: [(output: [Float], grads: [[Float]], buffers: [[Float]])] = []
            for fused in [true, false] {
                Sequential.fusesBatchNormReLU = fused
                let model = Sequential {
                    Conv2D(4, kernelSize: 3, padding: .same)
                    BatchNormalization()
                    ReLU()
                    Conv2D(3, kernelSize: 3)
                    BatchNormalization()
                    Flatten()
                    Dense(2)
                }
                var generator = RandomGenerator(seed: 5)
                _ = try model.build(inputShape: [2, 6, 6], generator: &generator)
                let input = Tensor.randomNormal([3, 2, 6, 6], seed: 6)
                let output = model.forward(input, training: training)
                try output.backward(gradient: Tensor.randomNormal(output.shape, seed: 7))
                results.append((output.scalars, model.parameters.map { $0.tensor.grad!.scalars },
                                model.buffers.map { $0.tensor.scalars }))
            }
            let (fused, separate) = (results[0], results[1])
            assertClose(fused.output, separate.output, rtol: 1e-5, atol: 1e-6, "training \(training) output")
            XCTAssertEqual(fused.grads.count, separate.grads.count)
            for (index, pair) in zip(fused.grads, separate.grads).enumerated() {
                assertClose(pair.0, pair.1, rtol: 1e-4, atol: 1e-5, "training \(training) gradient \(index)")
            }
            for (index, pair) in zip(fused.buffers, separate.buffers).enumerated() {
                assertClose(pair.0, pair.1, rtol: 1e-6, atol: 1e-6, "training \(training) buffer \(index)")
            }
        }
    }
}
