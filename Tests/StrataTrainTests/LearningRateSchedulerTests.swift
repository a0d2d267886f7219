import Foundation
import StrataCore
import StrataNN
import StrataTrain
import XCTest

/// `LearningRateScheduler` inside `Model.fit`: the rate it sets before each batch, and that the optimizer uses it.
final class LearningRateSchedulerTests: XCTestCase {
    /// A 2 → 2 classifier under plain gradient descent, and 8 examples (2 batches of 4 per epoch).
    func smallModel() throws -> (Model, Tensor, Tensor) {
        let model = try Model(inputShape: [2], seed: 3) { Dense(2) }
        model.compile(optimizer: PlainDescent(learningRate: 123), loss: SparseCategoricalCrossentropy(fromLogits: true))
        let x = Tensor.randomNormal([8, 2], seed: 4)
        let y = Tensor((0..<8).map { Float($0 % 2) })
        return (model, x, y)
    }

    func testStepDecaySetsTheRateOfEachEpoch() throws {
        let (model, x, y) = try smallModel()
        let rates = RatesSeen()
        // 0.5 for epochs 0–1, 0.125 for 2–3, 0.03125 for 4: the initial 123 is never used.
        let scheduler = LearningRateScheduler(StepDecay(initial: 0.5, factor: 0.25, everyEpochs: 2))
        _ = try model.fit(x: x, y: y, batchSize: 4, epochs: 5, shuffle: false, callbacks: [scheduler, rates], verbose: false)
        XCTAssertEqual(rates.perBatch, [0.5, 0.5, 0.5, 0.5, 0.125, 0.125, 0.125, 0.125, 0.03125, 0.03125])
    }

    func testCosineDecaySetsTheRateOfEachStep() throws {
        let (model, x, y) = try smallModel()
        let rates = RatesSeen()
        let scheduler = LearningRateScheduler(CosineDecay(initial: 1, totalSteps: 4, minimum: 0.2))
        _ = try model.fit(x: x, y: y, batchSize: 4, epochs: 3, shuffle: false, callbacks: [scheduler, rates], verbose: false)
        // 0.2 + 0.8 · (1 + cos(π · step / 4)) / 2 for steps 0…4, then the minimum.
        let half = 0.4 * (1 + 0.5.squareRoot())
        let expected: [Double] = [1, 0.2 + half, 0.6, 1 - half, 0.2, 0.2]
        XCTAssertEqual(rates.perBatch.count, expected.count)
        for (seen, wanted) in zip(rates.perBatch, expected) { XCTAssertEqual(Double(seen), wanted, accuracy: 1e-6) }
    }

    func testTheOptimizerStepsWithTheScheduledRate() throws {
        // A rate of 0 from epoch 1 on: the weights after epoch 0 must stay as they are.
        let (model, x, y) = try smallModel()
        let weights = WeightsAtEpochEnd()
        let scheduler = LearningRateScheduler(StepDecay(initial: 0.5, factor: 0, everyEpochs: 1))
        _ = try model.fit(x: x, y: y, batchSize: 4, epochs: 3, shuffle: false, callbacks: [scheduler, weights], verbose: false)
        XCTAssertEqual(weights.snapshots.count, 3)
        XCTAssertEqual(weights.snapshots[1], weights.snapshots[0])
        XCTAssertEqual(weights.snapshots[2], weights.snapshots[0])

        // The same run at a constant 0.5 keeps moving after epoch 0.
        let (constant, _, _) = try smallModel()
        constant.optimizer?.learningRate = 0.5
        let moving = WeightsAtEpochEnd()
        _ = try constant.fit(x: x, y: y, batchSize: 4, epochs: 2, shuffle: false, callbacks: [moving], verbose: false)
        XCTAssertEqual(moving.snapshots[0], weights.snapshots[0], "same start and same first epoch")
        XCTAssertNotEqual(moving.snapshots[1], moving.snapshots[0])
    }
}

/// Records the optimizer's learning rate at the end of each batch (after every `onBatchBegin`, so after the
/// scheduler has set it).
final class RatesSeen: Callback {
    var perBatch: [Float] = []
    func onBatchEnd(model: Model, state: TrainingState, logs: Logs) {
        perBatch.append(model.optimizer?.learningRate ?? .nan)
    }
}
