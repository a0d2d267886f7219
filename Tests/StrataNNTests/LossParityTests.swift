import Foundation
import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// StrataNN's losses against PyTorch (`scripts/make-loss-reference.py`): the value and the gradient
/// with respect to the predictions.
final class LossParityTests: XCTestCase {
    struct StoredTensor: Decodable { let shape: [Int]; let data: [Float] }
    struct Case: Decodable {
        let name: String
        let params: [String: Double]
        let predictions: StoredTensor
        let targets: StoredTensor
        let loss: Double
        let grad_predictions: StoredTensor
    }
    struct Fixture: Decodable { let cases: [Case] }

    func loss(for reference: Case) throws -> any Loss {
        let fromLogits = reference.params["fromLogits"] == 1
        let smoothing = Float(reference.params["labelSmoothing"] ?? 0)
        let name = reference.name
        if name.hasPrefix("sparse") { return SparseCategoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: smoothing) }
        if name.hasPrefix("categorical") { return CategoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: smoothing) }
        if name.hasPrefix("binary") { return BinaryCrossentropy(fromLogits: fromLogits) }
        if name.hasPrefix("huber") { return Huber(delta: Float(reference.params["delta"] ?? 1)) }
        if name == "mae" { return MeanAbsoluteError() }
        if name == "mse" { return MeanSquaredError() }
        throw ReferenceFixtureError("losses.json: no Strata loss for fixture case \(name); add it to loss(for:)")
    }

    func testEveryLossMatchesPyTorch() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "losses", withExtension: "json", subdirectory: "Fixtures"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertEqual(fixture.cases.count, 10)
        for reference in fixture.cases {
            let predictions = Tensor(shape: reference.predictions.shape, scalars: reference.predictions.data, requiresGrad: true)
            let targets = Tensor(shape: reference.targets.shape, scalars: reference.targets.data)
            let lossFunction = try loss(for: reference)
            let value = lossFunction.callAsFunction(predictions: predictions, targets: targets)
            XCTAssertEqual(Double(value.scalar), reference.loss, accuracy: 1e-5 * max(1, abs(reference.loss)), reference.name)
            try value.backward()
            assertClose(try XCTUnwrap(predictions.grad).scalars, reference.grad_predictions.data, rtol: 1e-4, atol: 1e-6,
                        reference.name)
        }
    }

    func testRankNetLossIsBinaryCrossEntropyOfTheScoreDifference() {
        let a = Tensor([[2.0], [-1.0]]), b = Tensor([[0.5], [1.0]]), targets = Tensor([[1.0], [0.0]])
        let value = Double(RankNetLoss()(scoresA: a, scoresB: b, targets: targets).scalar)
        let first: Double = log(1 + exp(-1.5))
        let second: Double = log(1 + exp(-2.0))
        XCTAssertEqual(value, (first + second) / 2, accuracy: 1e-6)
    }
}
