import StrataCore
import StrataNN
import StrataTrain
import XCTest

/// `Model.precision`: `fit` runs its training steps in it, and the weights stay Float32 masters.
final class ModelPrecisionTests: XCTestCase {
    /// A small convnet with a dense head, trained one epoch of four steps in `precision`; how far each
    /// parameter moved from its initial value.
    func updates(_ precision: Precision) throws -> [Float] {
        let model = try Model(inputShape: [1, 6, 6], seed: 3) {
            Conv2D(4, kernelSize: 3, activation: .relu)
            Flatten()
            Dense(3)
        }
        model.precision = precision
        model.compile(optimizer: PlainDescent(learningRate: 0.05), loss: SparseCategoricalCrossentropy(fromLogits: true))
        let initial = model.parameters.flatMap { $0.tensor.scalars }
        let x = Tensor.randomNormal([32, 1, 6, 6], seed: 4)
        let y = Tensor((0..<32).map { Float($0 % 3) })
        try model.fit(x: x, y: y, batchSize: 8, epochs: 1, shuffle: false, verbose: false)
        return zip(model.parameters.flatMap { $0.tensor.scalars }, initial).map { $0 - $1 }
    }

    func testFitTrainsInTheModelsPrecision() throws {
        let float32 = try updates(.float32), bfloat16 = try updates(.bfloat16)
        XCTAssertEqual(try updates(.float32), float32, "f32 training is deterministic")
        let differences = zip(float32, bfloat16).map { Swift.abs($0 - $1) }
        let largest = float32.map { Swift.abs($0) }.max() ?? 0
        XCTAssertGreaterThan(differences.max() ?? 0, 0, "bf16 steps change the result, so fit used the precision")
        // Each gradient sums terms that cancel, each rounded to ~2⁻⁸ of itself: a few percent of the update
        // (3.5% measured), far below the update itself.
        XCTAssertLessThan(differences.max() ?? .infinity, 0.1 * largest,
                          "bf16 updates stay near f32's (largest update \(largest))")
        XCTAssertEqual(Precision.current, .float32, "fit leaves the thread in Float32")
    }
}
