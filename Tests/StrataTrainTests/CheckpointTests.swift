import Foundation
import StrataCore
import StrataNN
import StrataTrain
import XCTest

/// A minimal optimizer with per-parameter state, standing in for SGD with momentum.
private final class MomentumStub: Optimizer {
    var learningRate: Float = 0.1
    var gradientClipping: GradientClipping?
    private(set) var iterations = 0
    private(set) var velocity: [String: Tensor] = [:]

    func step(_ parameters: [Parameter]) {
        iterations += 1
        for parameter in parameters {
            let state = velocity[parameter.name] ?? Tensor(shape: parameter.tensor.shape,
                                                          scalars: Array(repeating: 0, count: parameter.tensor.count))
            for index in 0..<state.count { state.pointer[index] = 0.9 * state.pointer[index] + Float(index) / 3 }
            velocity[parameter.name] = state
        }
    }

    func stateDictionary() -> [String: Tensor] {
        var state = ["iterations": Tensor(Float(iterations)), "learning_rate": Tensor(learningRate)]
        for (name, tensor) in velocity { state["velocity/\(name)"] = tensor }
        return state
    }

    func loadStateDictionary(_ state: [String: Tensor]) throws {
        guard let iterations = state["iterations"], let rate = state["learning_rate"] else {
            throw CheckpointError.missingTensor(path: "optimizer state", name: "iterations")
        }
        self.iterations = Int(iterations.scalar)
        learningRate = rate.scalar
        velocity = [:]
        for (key, tensor) in state where key.hasPrefix("velocity/") { velocity[String(key.dropFirst(9))] = tensor }
    }
}

private final class OtherOptimizer: Optimizer {
    var learningRate: Float = 0.1
    var gradientClipping: GradientClipping?
    var iterations: Int { 0 }
    func step(_ parameters: [Parameter]) {}
    func stateDictionary() -> [String: Tensor] { [:] }
    func loadStateDictionary(_ state: [String: Tensor]) throws {}
}

final class CheckpointTests: XCTestCase {
    private var url: URL!

    override func setUpWithError() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-checkpoint-\(UUID().uuidString).safetensors")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: url)
    }

    /// Parameters and buffers of a small Dense → BatchNorm model: random values, or zeros.
    private func model(random: Bool) -> (parameters: [Parameter], buffers: [Parameter]) {
        var generator = RandomGenerator(seed: 7)
        func tensor(_ shape: [Int]) -> Tensor {
            let count = shape.reduce(1, *)
            return Tensor(shape: shape, scalars: (0..<count).map { _ in random ? generator.nextNormal() : 0 })
        }
        let parameters = [Parameter(name: "dense_1.kernel", tensor: tensor([4, 3])),
                          Parameter(name: "dense_1.bias", tensor: tensor([3])),
                          Parameter(name: "batch_normalization_1.gamma", tensor: tensor([3])),
                          Parameter(name: "batch_normalization_1.beta", tensor: tensor([3]))]
        let buffers = [Parameter(name: "batch_normalization_1.moving_mean", tensor: tensor([3])),
                       Parameter(name: "batch_normalization_1.moving_variance", tensor: tensor([3])),
                       Parameter(name: "scale", tensor: tensor([]))]
        return (parameters, buffers)
    }

    private func progress() -> TrainingProgress {
        var history = History()
        history.record(epoch: 1, logs: [("loss", 0.693_147_180_559_945_3), ("accuracy", 0.5)])
        history.record(epoch: 2, logs: [("loss", 0.1 + 0.2), ("accuracy", 0.75), ("val_loss", .infinity)])
        return TrainingProgress(epochsCompleted: 2, globalStep: 123_456_789_012, monitor: "val_loss",
                                bestValue: 0.1 + 0.2, seed: .max, randomState: [1, 0, .max, 42], history: history,
                                options: ["batch_size": "64", "optimizer": "sgd(momentum: 0.9)"],
                                extra: ["note": "ünïcode ✓", "split": "train/val"])
    }

    private func bits(_ parameters: [Parameter]) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.tensor.scalars.map(\.bitPattern)) })
    }

    func testRoundTripRestoresEverythingBitForBitInPlace() throws {
        let trained = model(random: true)
        let optimizer = MomentumStub()
        optimizer.step(trained.parameters)
        optimizer.step(trained.parameters)
        optimizer.learningRate = 0.025
        try Checkpoint.save(parameters: trained.parameters, buffers: trained.buffers, optimizer: optimizer,
                            progress: progress(), to: url)

        let fresh = model(random: false)
        let freshTensors = (fresh.parameters + fresh.buffers).map(\.tensor)
        let freshOptimizer = MomentumStub()
        let checkpoint = try Checkpoint.load(from: url)
        try checkpoint.restore(into: fresh.parameters, buffers: fresh.buffers, optimizer: freshOptimizer)

        XCTAssertEqual(bits(fresh.parameters), bits(trained.parameters))
        XCTAssertEqual(bits(fresh.buffers), bits(trained.buffers))
        XCTAssertTrue(zip(freshTensors, (fresh.parameters + fresh.buffers).map(\.tensor)).allSatisfy { $0 === $1 },
                      "restored in place: the model keeps its tensor objects")
        XCTAssertEqual(freshOptimizer.iterations, 2)
        XCTAssertEqual(freshOptimizer.learningRate, 0.025)
        XCTAssertEqual(freshOptimizer.velocity.mapValues(\.scalars), optimizer.velocity.mapValues(\.scalars))
        XCTAssertEqual(checkpoint.optimizerType, "MomentumStub")

        let expected = progress(), restored = checkpoint.progress
        XCTAssertEqual(restored.epochsCompleted, 2)
        XCTAssertEqual(restored.globalStep, 123_456_789_012, "integers are exact (metadata, not Float32)")
        XCTAssertEqual(restored.bestValue?.bitPattern, (0.1 + 0.2 as Double).bitPattern)
        XCTAssertEqual(restored.seed, .max)
        XCTAssertEqual(restored.randomState, [1, 0, .max, 42])
        XCTAssertEqual(restored.monitor, "val_loss")
        XCTAssertEqual(restored.options, expected.options)
        XCTAssertEqual(restored.extra, expected.extra)
        XCTAssertEqual(restored.history.csv(), expected.history.csv())
        XCTAssertEqual(restored.history["loss"].map(\.bitPattern), expected.history["loss"].map(\.bitPattern))
        XCTAssertTrue(restored.history["val_loss"][0].isNaN)
    }

    func testTheFileIsPlainSafetensorsWithPrefixesAndStringMetadata() throws {
        let trained = model(random: true)
        try Checkpoint.save(parameters: trained.parameters, buffers: trained.buffers, optimizer: MomentumStub(),
                            progress: progress(), to: url)
        let (tensors, metadata) = try SafeTensorsFile.read(from: url)
        XCTAssertEqual(tensors.keys.sorted(), [
            "model/batch_normalization_1.beta", "model/batch_normalization_1.gamma",
            "model/batch_normalization_1.moving_mean", "model/batch_normalization_1.moving_variance",
            "model/dense_1.bias", "model/dense_1.kernel", "model/scale",
            "optimizer/iterations", "optimizer/learning_rate",
        ])
        XCTAssertEqual(metadata["strata_checkpoint"], "1")
        XCTAssertEqual(metadata["optimizer"], "MomentumStub")
        XCTAssertEqual(metadata["epoch"], "2")
        XCTAssertEqual(metadata["global_step"], "123456789012")
        XCTAssertEqual(metadata["best_value"], "0.30000000000000004")
        XCTAssertEqual(metadata["seed"], "18446744073709551615")
        XCTAssertEqual(metadata["random_state"], "1,0,18446744073709551615,42")
        XCTAssertEqual(metadata["options"], #"{"batch_size":"64","optimizer":"sgd(momentum: 0.9)"}"#)
        XCTAssertEqual(metadata["extra/split"], "train/val")
        XCTAssertTrue(metadata["history"]?.contains(#""NaN""#) == true, metadata["history"] ?? "no history")
    }

    func testRestoreThrowsNamingTheTensorAndChangesNothing() throws {
        let trained = model(random: true)
        try Checkpoint.save(parameters: trained.parameters, buffers: trained.buffers, optimizer: nil,
                            progress: TrainingProgress(), to: url)
        let checkpoint = try Checkpoint.load(from: url)
        let fresh = model(random: false)
        let zeros = bits(fresh.parameters)

        let extra = fresh.parameters + [Parameter(name: "dense_2.kernel", tensor: Tensor(shape: [3, 2], scalars: Array(repeating: 0, count: 6)))]
        assertThrows(try checkpoint.restore(into: extra, buffers: fresh.buffers),
                     "checkpoint \(url.path) has no tensor 'model/dense_2.kernel'")
        var reshaped = fresh.parameters
        reshaped[0] = Parameter(name: "dense_1.kernel", tensor: Tensor(shape: [3, 4], scalars: Array(repeating: 0, count: 12)))
        assertThrows(try checkpoint.restore(into: reshaped, buffers: fresh.buffers),
                     "checkpoint \(url.path): tensor 'model/dense_1.kernel' has shape [4, 3] but the model expects [3, 4]")
        assertThrows(try checkpoint.restore(into: fresh.parameters),
                     "checkpoint \(url.path) has tensors the model does not have: 'model/batch_normalization_1.moving_mean'")
        assertThrows(try checkpoint.restore(into: fresh.parameters, buffers: fresh.buffers, optimizer: MomentumStub()),
                     "checkpoint \(url.path): cannot restore the optimizer: the checkpoint holds no optimizer state")
        XCTAssertEqual(bits(fresh.parameters), zeros, "a failed restore leaves the model as it was")

        try checkpoint.restore(into: fresh.parameters, strict: false)   // buffers left out on purpose
        XCTAssertEqual(bits(fresh.parameters), bits(trained.parameters))
    }

    func testRestoreRefusesStateOfAnotherOptimizerType() throws {
        let trained = model(random: true)
        try Checkpoint.save(parameters: trained.parameters, optimizer: MomentumStub(), progress: TrainingProgress(), to: url)
        assertThrows(try Checkpoint.load(from: url).restore(into: trained.parameters, optimizer: OtherOptimizer()),
                     "cannot restore the optimizer: the state was saved by MomentumStub, not by OtherOptimizer")
    }

    func testSaveRefusesDuplicateNames() {
        let tensor = Tensor([1, 2])
        assertThrows(try Checkpoint.save(parameters: [Parameter(name: "w", tensor: tensor)],
                                         buffers: [Parameter(name: "w", tensor: tensor)],
                                         optimizer: nil, progress: TrainingProgress(), to: url),
                     "cannot write safetensors file \(url.path): two parameters or buffers are named 'w'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    func testLoadRefusesFilesThatAreNotCheckpointsOrHaveBadMetadata() throws {
        try SafeTensorsFile.write(["model/w": Tensor([1])], to: url)
        assertThrows(try Checkpoint.load(from: url),
                     "checkpoint \(url.path): metadata 'strata_checkpoint' is missing: this safetensors file is not a Strata checkpoint")
        let valid = ["strata_checkpoint": "1", "epoch": "1", "global_step": "10"]
        let cases: [([String: String], String)] = [
            (valid.merging(["strata_checkpoint": "2"]) { $1 }, "metadata 'strata_checkpoint' is '2'"),
            (valid.filter { $0.key != "global_step" }, "metadata 'global_step' is missing"),
            (valid.merging(["epoch": "three"]) { $1 }, "metadata 'epoch' is 'three', not a valid Int"),
            (valid.merging(["seed": "-1"]) { $1 }, "metadata 'seed' is '-1', not a valid UInt64"),
            (valid.merging(["random_state": "1,,2"]) { $1 }, "metadata 'random_state' is '', not a valid UInt64"),
            (valid.merging(["best_value": "low"]) { $1 }, "metadata 'best_value' is 'low', not a valid Double"),
            (valid.merging(["history": "{\"epochs\": [1"]) { $1 }, "metadata 'history' is not the JSON of History ("),
            (valid.merging(["options": "[1]"]) { $1 }, "metadata 'options' is not the JSON of Dictionary<String, String> (Expected to decode Dictionary<String, Any> but found an array instead.)"),
        ]
        for (metadata, message) in cases {
            try SafeTensorsFile.write(["model/w": Tensor([1])], metadata: metadata, to: url)
            assertThrows(try Checkpoint.load(from: url), "checkpoint \(url.path): \(message)")
        }
        try SafeTensorsFile.write(["model/w": Tensor([1]), "ema/w": Tensor([2])], metadata: valid, to: url)
        let minimal = try Checkpoint.load(from: url)
        XCTAssertEqual(minimal.progress, TrainingProgress(epochsCompleted: 1, globalStep: 10))
        XCTAssertNil(minimal.optimizerState)
        XCTAssertEqual(minimal.otherTensors["ema/w"]?.scalars, [2], "tensors under neither prefix are kept")
    }

    private func assertThrows(_ expression: @autoclosure () throws -> some Any, _ message: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertTrue(error is CheckpointError, "\(type(of: error))", file: file, line: line)
            XCTAssertTrue("\(error)".contains(message), "expected '\(message)' in: \(error)", file: file, line: line)
        }
    }
}
