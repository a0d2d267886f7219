import StrataCore
import StrataNN
import StrataTestSupport
import StrataTrain
import XCTest

/// `Model.recomputeBatchNormalization(over:epoch:)` against PyTorch's `update_bn` rule written out: the
/// moving statistics become the plain mean over the batches of each batch's mean and unbiased variance.
final class BatchNormalizationStatisticsTests: XCTestCase {
    func testStatisticsAreTheMeanOverBatchesOfEachBatchsStatistics() throws {
        let first = BatchNormalization(momentum: 0.9)
        let frozen = BatchNormalization(momentum: 1)   // never updated: kept as it is
        let model = try Model(inputShape: [2], seed: 1) {
            first
            frozen
        }
        // Three batches of four rows, two features on different scales.
        let rows: [[Float]] = (0..<12).map { i in [Float(i % 5) - 1.5, Float(i * i % 7) * 3 + 2] }
        let source = try TensorBatches(inputs: Tensor(rows), targets: Tensor.zeros([12, 1]), batchSize: 4, shuffle: false)
        let weightsBefore = model.parameters.flatMap { $0.tensor.scalars }

        XCTAssertEqual(model.recomputeBatchNormalization(over: source), 1)

        var expectedMean = [Double](repeating: 0, count: 2), expectedVariance = [Double](repeating: 0, count: 2)
        for batch in 0..<3 {
            for feature in 0..<2 {
                let values = (0..<4).map { Double(rows[batch * 4 + $0][feature]) }
                let mean = values.reduce(0, +) / 4
                expectedMean[feature] += mean / 3
                expectedVariance[feature] += values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3 / 3
            }
        }
        assertClose(try XCTUnwrap(first.movingMean).scalars, expectedMean.map(Float.init), rtol: 1e-5, atol: 1e-6)
        assertClose(try XCTUnwrap(first.movingVariance).scalars, expectedVariance.map(Float.init), rtol: 1e-5, atol: 1e-6)
        XCTAssertEqual(try XCTUnwrap(frozen.movingMean).scalars, [0, 0])
        XCTAssertEqual(try XCTUnwrap(frozen.movingVariance).scalars, [1, 1])
        XCTAssertEqual(model.parameters.flatMap { $0.tensor.scalars }, weightsBefore, "the weights stay as they are")

        // Inference now normalizes with them.
        let output = model.predict(Tensor([[Float(expectedMean[0]), Float(expectedMean[1])]]))
        assertClose(output.scalars, [0, 0], atol: 1e-5)
    }

    /// A model without batch normalization is left alone.
    func testAModelWithoutBatchNormalizationIsUntouched() throws {
        let model = try Model(inputShape: [2], seed: 1) { Dense(3) }
        let source = try TensorBatches(inputs: Tensor([[1, 2]]), targets: Tensor([[0]]), batchSize: 1, shuffle: false)
        XCTAssertEqual(model.recomputeBatchNormalization(over: source), 0)
    }
}
