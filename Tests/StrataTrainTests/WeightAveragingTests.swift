import Foundation
import StrataCore
import StrataNN
import StrataTestSupport
import StrataTrain
import XCTest

/// `RandomBatchTask` that also records the weights the model holds when the epoch's measures are taken
/// (where validation runs), to show that the loop validates the averaged weights.
final class WeightRecordingTask: TrainingTask {
    let inner: RandomBatchTask
    var weightsAtEpochEnd: [[Float]] = []

    init(model: Model, seed: UInt64) { inner = RandomBatchTask(model: model, seed: seed) }

    func beginEpoch(state: TrainingState) throws { try inner.beginEpoch(state: state) }
    func loss(state: TrainingState) throws -> Tensor { try inner.loss(state: state) }
    func endStep(loss: Float, state: TrainingState) -> Logs { inner.endStep(loss: loss, state: state) }
    func endEpoch(state: TrainingState) throws -> Logs {
        weightsAtEpochEnd.append(inner.model.parameters.flatMap { $0.tensor.scalars })
        return try inner.endEpoch(state: state)
    }
    var randomState: [UInt64]? { inner.randomState }
    func restore(randomState: [UInt64]) -> Bool { inner.restore(randomState: randomState) }
}

final class WeightAveragingTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-average-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func parameter(_ name: String, _ values: [Float]) -> Parameter {
        Parameter(name: name, tensor: Tensor(shape: [values.count], scalars: values))
    }

    func set(_ parameter: Parameter, _ values: [Float]) {
        parameter.tensor.pointer.update(from: values, count: values.count)
        parameter.tensor.storage.bumpVersion()
    }

    /// The first update copies; later ones follow PyTorch's `ema + (1 − decay)·(weights − ema)`, buffers too.
    func testExponentialAverageFollowsPyTorchsRule() {
        let weight = parameter("w", [1, 2]), buffer = parameter("moving_mean", [4])
        let ema = WeightAveraging(.exponential(decay: 0.9), parameters: [weight], buffers: [buffer])
        XCTAssertFalse(ema.hasAverage)
        ema.epochEnded(epoch: 0)
        XCTAssertEqual(ema.updates, 0, "an EMA ignores epoch ends")
        ema.stepEnded()
        XCTAssertEqual(ema.averages, [[1, 2], [4]])
        set(weight, [3, 0])
        set(buffer, [5])
        ema.stepEnded()
        XCTAssertEqual(ema.updates, 2)
        let w: Float = 0.1 as Float
        XCTAssertEqual(ema.averages, [[1 + w * (3 - 1), 2 + w * (0 - 2)], [4 + w * (5 - 4)]])
    }

    /// SWA takes the weights in at the end of each epoch from its start epoch (1-based) and keeps their mean.
    func testStochasticAverageIsTheMeanOfTheEpochsFromTheStart() {
        let weight = parameter("w", [0])
        let swa = WeightAveraging(.stochastic(startEpoch: 2), parameters: [weight])
        for (epoch, value) in [Float(10), 1, 2, 6].enumerated() {
            set(weight, [value])
            swa.stepEnded()
            swa.epochEnded(epoch: epoch)
        }
        XCTAssertEqual(swa.updates, 3, "epochs 2, 3 and 4")
        XCTAssertEqual(swa.averages, [[3]])
    }

    /// The averaged values are swapped in for the body only, and the trained ones come back bit for bit,
    /// also when the body throws; `copyAverageIntoWeights` keeps the average.
    func testAveragedWeightsAreSwappedInAndBackExactly() {
        let weight = parameter("w", [0.1, 0.2])
        let ema = WeightAveraging(.exponential(decay: 0.99), parameters: [weight])
        XCTAssertEqual(ema.withAveragedWeights { weight.tensor.scalars }, [0.1, 0.2], "no average yet: the weights")
        ema.stepEnded()
        set(weight, [0.7, -0.3])
        ema.stepEnded()
        let average = ema.averages[0]
        XCTAssertEqual(ema.withAveragedWeights { weight.tensor.scalars }, average)
        XCTAssertEqual(weight.tensor.scalars, [0.7, -0.3])
        struct Failure: Error {}
        XCTAssertThrowsError(try ema.withAveragedWeights { throw Failure() })
        XCTAssertEqual(weight.tensor.scalars, [0.7, -0.3])
        XCTAssertEqual(ema.averages[0], average)
        ema.copyAverageIntoWeights()
        XCTAssertEqual(weight.tensor.scalars, average)
    }

    /// The average travels through a checkpoint's `average/…` tensors and its update count; a missing
    /// tensor or a bad count is named.
    func testTheAverageRoundTripsThroughACheckpoint() throws {
        let weight = parameter("w", [1, 2, 3])
        let ema = WeightAveraging(.exponential(decay: 0.5), parameters: [weight])
        ema.stepEnded()
        set(weight, [3, 2, 1])
        ema.stepEnded()
        var progress = TrainingProgress()
        progress.extra[WeightAveraging.updatesKey] = "2"
        let url = folder.appendingPathComponent("c.safetensors")
        try Checkpoint.save(parameters: [weight], optimizer: nil, progress: progress,
                            otherTensors: ema.checkpointTensors, to: url)
        let loaded = try Checkpoint.load(from: url)
        XCTAssertEqual(Set(loaded.otherTensors.keys), ["average/w"])
        let restored = WeightAveraging(.exponential(decay: 0.5), parameters: [weight])
        try restored.restore(from: loaded)
        XCTAssertEqual(restored.updates, 2)
        XCTAssertEqual(restored.averages, ema.averages)

        var missing = loaded
        missing.otherTensors = [:]
        XCTAssertThrowsError(try restored.restore(from: missing)) { XCTAssertTrue("\($0)".contains("average/w"), "\($0)") }
        var badCount = loaded
        badCount.progress.extra[WeightAveraging.updatesKey] = "-1"
        XCTAssertThrowsError(try restored.restore(from: badCount)) {
            XCTAssertTrue("\($0)".contains("weight_average_updates"), "\($0)")
        }
    }

    func makeLoop(_ method: WeightAveraging.Method, seed: UInt64 = 3) throws -> (TrainingLoop, WeightRecordingTask) {
        let model = try Model(inputShape: [3], seed: 9) {
            Dense(8, activation: .tanh)
            Dense(1)
        }
        let task = WeightRecordingTask(model: model, seed: seed)
        let loop = TrainingLoop(model: model, optimizer: Adam(learningRate: 0.01), task: task, epochs: 4,
                                stepsPerEpoch: 5, sampleCount: 64)
        loop.weightAveraging = WeightAveraging(method, parameters: model.parameters, buffers: model.buffers)
        return (loop, task)
    }

    /// In the loop, an EMA is updated after every step and SWA after every epoch from its start; each
    /// epoch's measures see the averaged weights, training goes on with the trained ones, and a run stopped
    /// after two epochs and resumed from its checkpoint ends with the same weights and average, bit for bit.
    func testTheLoopValidatesTheAverageAndResumesItExactly() throws {
        for method in [WeightAveraging.Method.exponential(decay: 0.8), .stochastic(startEpoch: 2)] {
            let (straight, task) = try makeLoop(method)
            try straight.run()
            let averaging = try XCTUnwrap(straight.weightAveraging)
            XCTAssertEqual(averaging.updates, method == .exponential(decay: 0.8) ? 20 : 3, "\(method)")
            XCTAssertEqual(task.weightsAtEpochEnd.last, averaging.averages.flatMap { $0 }, "validated with the average")
            XCTAssertNotEqual(straight.parameters.flatMap { $0.tensor.scalars }, averaging.averages.flatMap { $0 })

            let url = folder.appendingPathComponent("checkpoint.safetensors")
            let (first, _) = try makeLoop(method)
            first.checkpointing = CheckpointSchedule(url: url)
            try first.run(stopAfter: 2)
            let checkpoint = try Checkpoint.load(from: url)
            XCTAssertEqual(checkpoint.progress.extra[WeightAveraging.updatesKey], method == .exponential(decay: 0.8) ? "10" : "1")
            let (second, _) = try makeLoop(method, seed: 77)
            try second.resume(from: checkpoint)
            try second.run()
            XCTAssertEqual(second.history, straight.history, "\(method)")
            XCTAssertEqual(second.parameters.flatMap { $0.tensor.scalars }, straight.parameters.flatMap { $0.tensor.scalars })
            XCTAssertEqual(second.weightAveraging?.averages, averaging.averages, "\(method)")
            XCTAssertEqual(second.weightAveraging?.updates, averaging.updates)
        }
    }
}
