import Foundation
import StrataCore
import StrataNN
import StrataTrain
import XCTest

/// `EarlyStopping` reports a best-weights file it cannot write or read back, and stops training,
/// instead of going on with weights that are not the best.
final class EarlyStoppingFailureTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-early-stopping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func smallModel() throws -> (Model, Tensor, Tensor) {
        let model = try Model(inputShape: [2], seed: 1) { Dense(4, activation: .relu); Dense(2) }
        model.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true))
        return (model, Tensor.randomNormal([16, 2], seed: 2), Tensor((0..<16).map { Float($0 % 2) }))
    }

    func testAnUnwritableBestWeightsFileStopsTrainingAndIsReported() throws {
        // The parent of the file is a regular file, so no one (root included) can create it.
        let blocker = folder.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let stopper = EarlyStopping(monitor: "loss", patience: 5, restoreBestWeights: true,
                                    bestWeightsFile: blocker.appendingPathComponent("best.safetensors"))
        let (model, x, y) = try smallModel()
        let history = try model.fit(x: x, y: y, batchSize: 8, epochs: 10, callbacks: [stopper], verbose: false)
        XCTAssertNotNil(stopper.failure, "the failed save must be reported")
        XCTAssertEqual(history.epochs.count, 1, "training stops at the first failed save")
    }

    func testAnUnreadableBestWeightsFileIsReportedAtTheEnd() throws {
        let file = folder.appendingPathComponent("best.safetensors")
        let stopper = EarlyStopping(monitor: "loss", patience: 5, restoreBestWeights: true, bestWeightsFile: file)
        let (model, x, y) = try smallModel()
        try model.fit(x: x, y: y, batchSize: 8, epochs: 2, callbacks: [stopper], verbose: false)
        XCTAssertNil(stopper.failure)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))
        // As after a resumption: the best epoch is known, its weights only in the file, which is now damaged.
        try stopper.restoreState(["wait": "1", "best": "0.1", "best_epoch": "0"])
        try Data("damaged".utf8).write(to: file)
        var state = TrainingState(epochs: 5)
        state.epoch = 4
        stopper.onTrainEnd(model: model, state: state, logs: Logs())
        XCTAssertNotNil(stopper.failure, "a best-weights file that cannot be read back must be reported")
    }
}
