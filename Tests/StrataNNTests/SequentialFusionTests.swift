import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// `Sequential` runs BatchNormalization → ReLU as one fused op; it must give what the two layers give.
final class SequentialFusionTests: XCTestCase {
    override func tearDown() {
        Sequential.fusesBatchNormReLU = true
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
