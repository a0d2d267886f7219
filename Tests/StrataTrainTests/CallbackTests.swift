import Foundation
import StrataCore
import StrataNN
import StrataTrain
import XCTest


final class CallbackTests: XCTestCase {
    func smallModel() throws -> (Model, Tensor, Tensor) {
        let model = try Model(inputShape: [2], seed: 1) { Dense(4, activation: .relu); Dense(2) }
        model.compile(optimizer: PlainDescent(learningRate: 0.5), loss: SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: [.accuracy])
        let x = Tensor.randomNormal([32, 2], seed: 2)
        let y = Tensor((0..<32).map { Float($0 % 2) })
        return (model, x, y)
    }

    func testEarlyStoppingStopsAfterPatienceAndRestoresBestWeights() throws {
        let (model, x, y) = try smallModel()
        // Validation on shuffled labels: it cannot keep improving, so the monitor must stop the run.
        let noise = Tensor((0..<32).map { Float(($0 * 7 / 3) % 2) })
        let stopper = EarlyStopping(monitor: "val_loss", patience: 1, restoreBestWeights: true)
        let weightsAtBest = WeightsAtEpochEnd()
        let history = try model.fit(x: x, y: y, batchSize: 8, epochs: 60, validationData: (x, noise),
                                    callbacks: [weightsAtBest, stopper], verbose: false)
        let stopped = try XCTUnwrap(stopper.stoppedEpoch, "training on noise must stop early")
        XCTAssertEqual(history.epochs.count, stopped + 1)
        let best = try XCTUnwrap(stopper.bestEpoch)
        XCTAssertEqual(stopped, best + 2, "patience 1: stops at the second epoch without improvement")
        XCTAssertEqual(history["val_loss"][best], history["val_loss"].min()!)
        XCTAssertEqual(model.parameters.flatMap { $0.tensor.scalars }, weightsAtBest.snapshots[best],
                       "the weights of the best epoch are back in the model")
    }

    func testTerminateOnNaN() throws {
        let (model, x, y) = try smallModel()
        model.compile(optimizer: PlainDescent(learningRate: .infinity), loss: SparseCategoricalCrossentropy(fromLogits: true))
        let guardCallback = TerminateOnNaN()
        // The loop's own guard would throw first; Keras's callback stops softly when the guard is off.
        let history = try model.fit(x: x, y: y, batchSize: 8, epochs: 5, callbacks: [guardCallback], verbose: false,
                                    allowNonFiniteLoss: true)
        XCTAssertNotNil(guardCallback.stoppedAtStep)
        XCTAssertEqual(history.epochs.count, 1)
    }

    func testCSVLoggerWritesOneLinePerEpochAndAppends() throws {
        let (model, x, y) = try smallModel()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-csv-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.fit(x: x, y: y, batchSize: 8, epochs: 2, callbacks: [CSVLogger(url: url)], verbose: false)
        try model.fit(x: x, y: y, batchSize: 8, epochs: 3, callbacks: [CSVLogger(url: url, append: true)], verbose: false,
                      initialEpoch: 2)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "epoch,loss,accuracy")
        XCTAssertEqual(lines.dropFirst().map { $0.split(separator: ",")[0] }, ["1", "2", "3"])
    }
}

/// Keeps a copy of the weights at the end of each epoch.
final class WeightsAtEpochEnd: Callback {
    var snapshots: [[Float]] = []
    func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        snapshots.append(model.parameters.flatMap { $0.tensor.scalars })
    }
}
