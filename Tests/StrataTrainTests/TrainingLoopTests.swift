import Foundation
import StrataCore
import StrataNN
import StrataTrain
import XCTest

/// A regression task for the loop's tests: each step draws a random batch of 8 of 64 fixed examples
/// from its own generator (so a resumed run must restore it), and can be told to return a NaN loss.
final class RandomBatchTask: TrainingTask {
    let model: Model
    let inputs = Tensor.randomNormal([64, 3], seed: 5)
    let targets: Tensor
    var generator: RandomGenerator
    var nanAtGlobalStep: Int?
    private var total = 0.0, steps = 0

    init(model: Model, seed: UInt64) {
        self.model = model
        let inputs = self.inputs
        targets = noGrad { (inputs * Tensor([1, -2, 0.5])).sum(alongAxes: [1], keepingDimensions: true) }
        generator = RandomGenerator(seed: seed)
    }

    func beginEpoch(state: TrainingState) throws { total = 0; steps = 0 }

    func loss(state: TrainingState) throws -> Tensor {
        let rows = (0..<8).map { _ in generator.nextInt(below: 64) }
        let loss = MeanSquaredError()(predictions: model(inputs.gather(rows, axis: 0), training: true),
                                      targets: targets.gather(rows, axis: 0))
        return state.globalStep == nanAtGlobalStep ? loss * Tensor(Float.nan) : loss
    }

    func endStep(loss: Float, state: TrainingState) -> Logs {
        total += Double(loss)
        steps += 1
        var logs = Logs()
        logs["loss"] = total / Double(steps)
        return logs
    }

    func endEpoch(state: TrainingState) throws -> Logs { endStep(loss: 0, state: state).mapLoss { _ in total / Double(steps) } }

    var randomState: [UInt64]? { generator.state }

    var epochState: [String: String]? { ["total": String(total), "steps": String(steps)] }

    func resumeEpoch(from saved: [String: String], state: TrainingState) throws {
        total = try saved.savedNumber("total")
        steps = Int(try saved.savedNumber("steps"))
    }

    func restore(randomState: [UInt64]) -> Bool {
        guard let restored = RandomGenerator(state: randomState) else { return false }
        generator = restored
        return true
    }
}

private extension Logs {
    func mapLoss(_ transform: (Double) -> Double) -> Logs {
        var logs = Logs()
        logs["loss"] = transform(self["loss"] ?? 0)
        return logs
    }
}

/// Stops training at the end of a given epoch, as an interruption would.
final class StopAtEpoch: Callback {
    let epoch: Int
    init(_ epoch: Int) { self.epoch = epoch }
    func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        if state.epoch + 1 == epoch { model.stopTraining = true }
    }
}

final class TrainingLoopTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func makeLoop(epochs: Int = 4, seed: UInt64 = 3, dropout: Bool = false) throws -> (TrainingLoop, RandomBatchTask) {
        let model = try Model(inputShape: [3], seed: 9) {
            Dense(8, activation: .tanh)
            if dropout { Dropout(0.5) }
            Dense(1)
        }
        let task = RandomBatchTask(model: model, seed: seed)
        let loop = TrainingLoop(model: model, optimizer: Adam(learningRate: 0.01), task: task, epochs: epochs,
                                stepsPerEpoch: 5, sampleCount: 64)
        return (loop, task)
    }

    func weights(_ loop: TrainingLoop) -> [Float] { loop.parameters.flatMap { $0.tensor.scalars } }

    func testRunCountsStepsRecordsHistoryAndLearns() throws {
        let (loop, _) = try makeLoop()
        let history = try loop.run()
        XCTAssertEqual(history.epochs, [1, 2, 3, 4])
        XCTAssertEqual(loop.globalStep, 20)
        XCTAssertEqual(loop.epochsCompleted, 4)
        XCTAssertLessThan(history["loss"].last!, history["loss"].first!)
    }

    /// A NaN loss stops the run before that step touches the weights, naming the epoch and step.
    func testNonFiniteLossStopsBeforeTheStepAndNamesIt() throws {
        let (loop, task) = try makeLoop()
        task.nanAtGlobalStep = 7   // epoch 2, step 3
        var before: [Float] = []
        final class Snapshot: Callback {
            let take: () -> Void
            init(_ take: @escaping () -> Void) { self.take = take }
            func onBatchBegin(model: Model, state: TrainingState) { take() }
        }
        loop.callbacks = [Snapshot { before = self.weights(loop) }]
        XCTAssertThrowsError(try loop.run()) { error in
            XCTAssertEqual((error as? NonFiniteLossError)?.epoch, 2)
            XCTAssertEqual((error as? NonFiniteLossError)?.step, 3)
            XCTAssertTrue("\(error)".contains("nan at epoch 2, step 3"), "\(error)")
            XCTAssertTrue("\(error)".contains("--allow-nonfinite"), "\(error)")
        }
        XCTAssertEqual(weights(loop), before, "the weights are those before the bad step")
        XCTAssertEqual(loop.globalStep, 7)

        let (lenient, lenientTask) = try makeLoop(epochs: 2)
        lenientTask.nanAtGlobalStep = 7
        lenient.allowsNonFiniteLoss = true
        XCTAssertNoThrow(try lenient.run())
        XCTAssertEqual(lenient.globalStep, 10)
    }

    /// Hooks see the gradients after backward and before the step, in order; zeroing them freezes the weights.
    func testGradientHooksRunBetweenBackwardAndTheStep() throws {
        let (loop, _) = try makeLoop(epochs: 1)
        let start = weights(loop)
        var calls: [String] = []
        loop.gradientHooks = [
            { parameters in
                calls.append("first")
                XCTAssertTrue(parameters.contains { $0.tensor.grad?.scalars.contains { $0 != 0 } ?? false })
            },
            { parameters in
                calls.append("second")
                for parameter in parameters { parameter.tensor.grad = Tensor.zeros(parameter.tensor.shape) }
            },
        ]
        try loop.run()
        XCTAssertEqual(calls.count, 10)
        XCTAssertEqual(Array(calls.prefix(2)), ["first", "second"])
        XCTAssertEqual(weights(loop), start, "zero gradients leave Adam's weights where they were")
    }

    /// Stopped after two epochs and resumed from the checkpoint, a run ends with the straight run's
    /// weights and history, bit for bit: the task's random state comes back with the weights.
    func testResumeFromTheCheckpointIsBitExact() throws {
        let (straight, _) = try makeLoop()
        try straight.run()

        let url = folder.appendingPathComponent("checkpoint.safetensors")
        let (first, _) = try makeLoop()
        first.checkpointing = CheckpointSchedule(url: url, minimumInterval: 3600)
        try first.run(stopAfter: 2)
        XCTAssertEqual(first.checkpointedEpochs, 2, "saved at the stop even though the interval had not passed")
        let checkpoint = try Checkpoint.load(from: url)
        XCTAssertEqual(checkpoint.progress.epochsCompleted, 2)
        XCTAssertEqual(checkpoint.progress.globalStep, 10)
        XCTAssertNotNil(checkpoint.progress.extra[TrainingLoop.trainingSecondsKey])
        let savedProcessor = try XCTUnwrap(Double(checkpoint.progress.extra[TrainingLoop.trainingProcessorSecondsKey] ?? ""))
        XCTAssertGreaterThan(savedProcessor, 0)
        XCTAssertLessThanOrEqual(savedProcessor, first.trainingProcessorSeconds, "saved at the last epoch's end")

        let (second, _) = try makeLoop(seed: 77)   // another stream: the checkpoint's must replace it
        try second.resume(from: checkpoint)
        let history = try second.run()
        XCTAssertEqual(history, straight.history)
        XCTAssertEqual(weights(second), weights(straight))
        XCTAssertGreaterThanOrEqual(second.trainingSeconds, Double(checkpoint.progress.extra["training_seconds"]!)!)
        XCTAssertGreaterThan(second.trainingProcessorSeconds, savedProcessor, "the time before the resumption counts")

        let (short, _) = try makeLoop(epochs: 1)
        XCTAssertThrowsError(try short.resume(from: checkpoint)) {
            XCTAssertTrue("\($0)".contains("do not fit a run of 1 epochs"), "\($0)")
        }
    }

    /// With an interval of zero every epoch is saved; a callback that stops the run triggers a save.
    func testCheckpointCadenceAndStopByCallback() throws {
        let url = folder.appendingPathComponent("c.safetensors")
        let (loop, _) = try makeLoop(epochs: 6)
        loop.checkpointing = CheckpointSchedule(url: url, minimumInterval: 3600, monitor: "loss")
        loop.callbacks = [StopAtEpoch(3)]
        try loop.run()
        XCTAssertEqual(loop.epochsCompleted, 3)
        let saved = try Checkpoint.load(from: url).progress
        XCTAssertEqual(saved.epochsCompleted, 3)
        XCTAssertEqual(saved.monitor, "loss")
        XCTAssertEqual(saved.bestValue, loop.history["loss"].min())
    }

    /// A resumed run's CSV starts again from the checkpoint's history: lines written after it go.
    func testCSVLoggerContinuingDropsLinesAfterTheCheckpoint() throws {
        let csv = folder.appendingPathComponent("history.csv")
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        let (first, _) = try makeLoop(epochs: 3)
        first.callbacks = [CSVLogger(url: csv)]
        first.checkpointing = CheckpointSchedule(url: url, minimumInterval: 0)
        try first.run(stopAfter: 1)
        let afterOne = try String(contentsOf: csv, encoding: .utf8)
        // A killed run wrote epoch 2's line but no checkpoint for it.
        try (afterOne + "2,123.0\n").write(to: csv, atomically: true, encoding: .utf8)
        let checkpoint = try Checkpoint.load(from: url)
        let (resumed, _) = try makeLoop(epochs: 3)
        resumed.callbacks = [CSVLogger(url: csv, continuing: checkpoint.progress.history)]
        try resumed.resume(from: checkpoint)
        try resumed.run()
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.map { $0.split(separator: ",")[0] }, ["epoch", "1", "2", "3"])
        XCTAssertFalse(lines.contains { $0.hasSuffix(",123.0") })
        XCTAssertEqual(String(lines[0]), "epoch,loss")
    }

    /// A stop requested after step 3 of epoch 2 (as Ctrl-C does) saves a checkpoint at that step; the
    /// run resumed from it, dropout masks, measures and random draws included, ends bit for bit as the
    /// straight run.
    func testInterruptionSavesInsideTheEpochAndResumesExactly() throws {
        let (straight, _) = try makeLoop(dropout: true)
        try straight.run()

        final class StopAfterStep: Callback {
            let step: Int
            init(_ step: Int) { self.step = step }
            func onBatchEnd(model: Model, state: TrainingState, logs: Logs) {
                if state.globalStep == step { TrainingSignals.requestStop(SIGTERM) }
            }
        }
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        let (first, _) = try makeLoop(dropout: true)
        first.checkpointing = CheckpointSchedule(url: url, minimumInterval: 3600)
        first.callbacks = [StopAfterStep(8)]
        XCTAssertThrowsError(try first.run()) { error in
            let interrupted = error as? TrainingInterrupted
            XCTAssertEqual(interrupted?.signal, SIGTERM)
            XCTAssertEqual(interrupted?.epoch, 2)
            XCTAssertEqual(interrupted?.step, 3)
            XCTAssertEqual(interrupted?.checkpoint, url.path)
            XCTAssertEqual(interrupted?.exitStatus, 143)
        }
        XCTAssertNil(TrainingSignals.pending, "the stop is acted on once")
        let checkpoint = try Checkpoint.load(from: url)
        XCTAssertEqual(checkpoint.progress.epochsCompleted, 1)
        XCTAssertEqual(checkpoint.progress.globalStep, 8)
        XCTAssertEqual(checkpoint.progress.extra[TrainingLoop.epochStepKey], "3")

        let (second, _) = try makeLoop(seed: 99, dropout: true)
        try second.resume(from: checkpoint)
        let history = try second.run()
        XCTAssertEqual(history, straight.history)
        XCTAssertEqual(weights(second), weights(straight))

        // A task that cannot continue an epoch part way: the stop keeps the last epoch's checkpoint.
        let model = try Model(inputShape: [2], seed: 1) { Dense(2) }
        model.compile(optimizer: Adam(), loss: MeanSquaredError())
        let other = folder.appendingPathComponent("other.safetensors")
        let plain = TrainingLoop(model: model, optimizer: Adam(), task: PlainTask(model: model), epochs: 3, stepsPerEpoch: 4)
        plain.checkpointing = CheckpointSchedule(url: other)
        plain.callbacks = [StopAfterStep(6)]
        XCTAssertThrowsError(try plain.run()) {
            XCTAssertNil(($0 as? TrainingInterrupted)?.checkpoint)
            XCTAssertTrue("\($0)".contains("the last checkpoint holds 1 epochs"), "\($0)")
        }
        XCTAssertEqual(try Checkpoint.load(from: other).progress.globalStep, 4)
    }
}

/// A task without epoch state: one fixed batch.
final class PlainTask: TrainingTask {
    let model: Model
    init(model: Model) { self.model = model }
    func loss(state: TrainingState) throws -> Tensor {
        MeanSquaredError()(predictions: model(Tensor([[1, 2]]), training: true), targets: Tensor([[0, 1]]))
    }
    func endStep(loss: Float, state: TrainingState) -> Logs { Logs() }
    func endEpoch(state: TrainingState) throws -> Logs { Logs() }
}
