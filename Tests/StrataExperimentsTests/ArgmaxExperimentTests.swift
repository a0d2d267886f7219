import Foundation
import StrataCore
@testable import StrataExperiments
import StrataTrain
import XCTest

/// `strata argmax`: the network, the data, the predictions, the options and a short run.
final class ArgmaxExperimentTests: XCTestCase {
    func testTheOriginalNetworkHas3821Parameters() throws {
        XCTAssertEqual(try ArgmaxExperiment.makeNetwork(ArgmaxOptions()).parameters.scalarCount, 3_821)
        var options = ArgmaxOptions()
        options.head = .classification
        let classifier = try ArgmaxExperiment.makeNetwork(options)
        XCTAssertEqual(classifier.parameters.scalarCount, 3 * 1_270 + 110)
        XCTAssertEqual(classifier.outputShape, [10])
        options.depth = 0
        options.length = 4
        XCTAssertEqual(try ArgmaxExperiment.makeNetwork(options).parameters.scalarCount, 20, "a linear map")
    }

    func testVectorsAndTheirArgmax() {
        var generator = RandomGenerator(seed: 1)
        let (inputs, argmax) = ArgmaxExperiment.vectors(count: 200, length: 7, generator: &generator)
        XCTAssertEqual(inputs.shape, [200, 7])
        let values = inputs.scalars
        XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 < 1 })
        for row in 0..<200 {
            let vector = Array(values[(row * 7)..<(row * 7 + 7)])
            XCTAssertEqual(argmax[row], vector.firstIndex(of: vector.max()!)!)
        }
        XCTAssertEqual(Set(argmax).count, 7, "every position wins sometimes")
    }

    func testPredictionsRoundAndClampOrTakeTheLargestLogit() {
        // Outputs beyond Int's range (a diverging run) clamp too, rather than trap.
        let regression = Tensor(shape: [8, 1], scalars: [-0.7, 0.4, 0.6, 9.6, 3.5, .nan, 3e19, -3e19])
        XCTAssertEqual(ArgmaxExperiment.predictedIndices(regression, head: .regression, length: 10),
                       [0, 0, 1, 9, 4, -1, 9, 0])
        let logits = Tensor([[0.1, 2, -1], [5, 4, 3]])
        XCTAssertEqual(ArgmaxExperiment.predictedIndices(logits, head: .classification, length: 3), [1, 0])
        let mse = ArgmaxExperiment.loss(Tensor(shape: [2, 1], scalars: [1, 2.5]), argmax: [0, 2], head: .regression)
        XCTAssertEqual(mse.scalar, (1 + 0.25) / 2, accuracy: 1e-6)
    }

    func testOptionsAreCheckedByName() {
        let cases: [(WritableKeyPath<ArgmaxOptions, Int>, Int, String)] = [
            (\.batchSize, 0, "--batch-size"), (\.length, 1, "--length"), (\.width, 0, "--width"),
            (\.depth, -1, "--depth"), (\.episodes, 0, "--episodes"), (\.batchesPerEpisode, 0, "--batches-per-episode"),
            (\.testBatches, 0, "--test-batches"), (\.testBatchSize, 0, "--test-batch-size"),
        ]
        for (path, value, name) in cases {
            var options = ArgmaxOptions()
            options[keyPath: path] = value
            XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains(name), "\($0)") }
        }
        var options = ArgmaxOptions()
        options.decay = 0
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--decay")) }
        options = ArgmaxOptions()
        options.optimizer = "lion"
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--optimizer")) }
        XCTAssertEqual(ArgmaxOptions().initialLearningRate, 1e-4, "the original recipe")
        options.optimizer = "adam"
        XCTAssertEqual(options.initialLearningRate, 1e-3)
    }

    func testAShortRunLearnsAndDecaysTheLearningRatePerEpisode() throws {
        var options = ArgmaxOptions()
        options.head = .classification
        options.optimizer = "adam"
        options.learningRate = 3e-3
        options.episodes = 4
        options.batchesPerEpisode = 60
        options.batchSize = 64
        options.testBatches = 4
        options.testBatchSize = 100
        let folder = try RunFolder.create(output: FileManager.default.temporaryDirectory
            .appendingPathComponent("strata-argmax-\(UUID().uuidString)").path, name: "argmax", overwrite: false)
        defer { try? FileManager.default.removeItem(at: folder.url) }
        var lines: [String] = []
        let run = try ArgmaxExperiment.run(options, folder: folder) { lines.append($0) }
        XCTAssertEqual(run.history.names, ["loss", "error", "lr", "seconds"])
        let rates = run.history["lr"]
        for (episode, rate) in rates.enumerated() {
            XCTAssertEqual(rate, 3e-3 * pow(0.98, Double(episode)), accuracy: 1e-9)
        }
        XCTAssertLessThan(run.history["error"].last!, run.history["error"].first!)
        XCTAssertLessThan(run.metrics.testError, 0.5, lines.joined(separator: "\n"))
        XCTAssertEqual(run.metrics.testVectors, 400)
        XCTAssertGreaterThan(run.metrics.secondsPerInstance, 0)
        XCTAssertEqual(lines.filter { $0.hasPrefix("Episode ") }.count, 4)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Episode 2/4 - loss: ") && $0.contains(" - error: ") && $0.contains(" - lr: ") })
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder.url.path))
        XCTAssertEqual(files, ["history.csv", "history.json", "metrics.json", "summary.txt", "loss.png", "error.png",
                               "model.safetensors", "checkpoint.safetensors"])
    }

    /// A run stopped after two episodes and resumed from its folder ends with the same history (but
    /// the timings), weights and test numbers as the run straight through: the momentum buffers and
    /// the stream of training vectors come back from the checkpoint.
    func testAnInterruptedRunResumesToTheSameResult() throws {
        var options = ArgmaxOptions()   // the original recipe's model and optimizer (SGD with momentum)
        options.learningRate = 2e-3
        options.episodes = 4
        options.batchesPerEpisode = 30
        options.batchSize = 64
        options.testBatches = 2
        options.testBatchSize = 100
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-argmax-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let straight = try ArgmaxExperiment.start(options, output: root.appendingPathComponent("a").path) { _ in }
        let interrupted = root.appendingPathComponent("b").path
        let partial = try ArgmaxExperiment.start(options, output: interrupted, stopAfter: 2) { _ in }
        XCTAssertEqual(partial.history.epochs, [1, 2])
        XCTAssertThrowsError(try Data(contentsOf: URL(fileURLWithPath: interrupted).appendingPathComponent("metrics.json")),
                             "a stopped run is not tested")
        var lines: [String] = []
        let resumed = try ArgmaxExperiment.resume(interrupted) { lines.append($0) }
        XCTAssertTrue(lines.contains { $0.contains("after episode 2 of 4") }, lines.joined(separator: "\n"))
        XCTAssertEqual(lines.filter { $0.hasPrefix("Episode ") }.count, 2)
        XCTAssertEqual(resumed.history.epochs, [1, 2, 3, 4])
        for name in ["loss", "error", "lr"] { XCTAssertEqual(resumed.history[name], straight.history[name], name) }
        XCTAssertEqual(resumed.metrics.testLoss, straight.metrics.testLoss)
        XCTAssertEqual(resumed.metrics.testError, straight.metrics.testError)
        func weights(_ run: ArgmaxRun) throws -> [String: [Float]] {
            try Checkpoint.load(from: run.folder!.url.appendingPathComponent("model.safetensors")).model.mapValues(\.scalars)
        }
        XCTAssertEqual(try weights(resumed), try weights(straight), "the same weights, bit for bit")
        XCTAssertThrowsError(try ArgmaxExperiment.resume(root.appendingPathComponent("none").path) { _ in }) {
            XCTAssertTrue("\($0)".contains("does not exist"), "\($0)")
        }
        // Stopped before its first checkpoint: nothing to resume from, and the message says so.
        let early = root.appendingPathComponent("c").path
        _ = try ArgmaxExperiment.start(options, output: early, stopAfter: 0) { _ in }
        XCTAssertThrowsError(try ArgmaxExperiment.resume(early) { _ in }) {
            XCTAssertTrue("\($0)".contains("stopped before its first checkpoint"), "\($0)")
        }
    }

    /// `--resume` of argmax and rank goes through `RunFolder.resuming`: a folder without a checkpoint
    /// is refused saying the run stopped before its first one, and unreadable options name the file.
    func testResumingNamesWhatIsMissingOrUnreadable() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let options = root.appendingPathComponent("options.json")
        try Data("{".utf8).write(to: options)
        XCTAssertThrowsError(try RunFolder.resuming(root.path, unit: "epoch", options: RankNetOptions.self)) {
            XCTAssertTrue("\($0)".contains("stopped before its first checkpoint (saved after the first epoch"), "\($0)")
        }
        try Data().write(to: root.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertThrowsError(try RunFolder.resuming(root.path, unit: "epoch", options: RankNetOptions.self)) {
            XCTAssertTrue("\($0)".contains("\(options.path): not readable run options"), "\($0)")
        }
    }
}
