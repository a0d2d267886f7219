import Foundation
import StrataExperiments
import StrataNN
import StrataTrain
import XCTest

/// What the option layer guards for the Swift API: optimizer hyperparameters, schedules that need more
/// steps, dropout rates and model options that do not apply, and options read back on resume.
final class OptionGuardTests: XCTestCase {
    func testAdamWKeepsAWeightDecayOfZeroAndDefaultsToPyTorchs() throws {
        let zero = try XCTUnwrap(OptimizerFactory.make("adamw", learningRate: nil, weightDecay: 0) as? AdamW)
        XCTAssertEqual(zero.weightDecay, 0, "--weight-decay 0 must stay 0")
        let usual = try XCTUnwrap(OptimizerFactory.make("adamw", learningRate: nil) as? AdamW)
        XCTAssertEqual(usual.weightDecay, 0.01)
        let adam = try XCTUnwrap(OptimizerFactory.make("adam", learningRate: nil) as? Adam)
        XCTAssertEqual(adam.weightDecay, 0)
    }

    func testOptimizerFactoryThrowsInsteadOfTrapping() {
        for (rate, decay, option) in [(Float(-1), Float(0), "--learning-rate"), (.nan, 0, "--learning-rate"),
                                      (.infinity, 0, "--learning-rate"), (0.1, -0.1, "--weight-decay"), (0.1, .nan, "--weight-decay")] {
            for name in OptimizerFactory.names {
                XCTAssertThrowsError(try OptimizerFactory.make(name, learningRate: rate, weightDecay: decay)) {
                    XCTAssertTrue("\($0)".contains(option), "\(name): \($0)")
                }
            }
        }
    }

    func testOneCycleNeedsFourStepsAndTheFactorySaysSo() throws {
        XCTAssertEqual(OneCycle.minimumTotalSteps(), 4)
        XCTAssertEqual(OneCycle.minimumTotalSteps(warmupFraction: 0.5), 3)
        XCTAssertEqual(OneCycle(maxLearningRate: 0.1, totalSteps: 4).learningRate(epoch: 0, step: 3, stepsPerEpoch: 4),
                       OneCycle(maxLearningRate: 0.1, totalSteps: 4).finalLearningRate, accuracy: 1e-9)
        XCTAssertThrowsError(try OptimizerFactory.scheduleCallbacks("onecycle", learningRate: 0.1, epochs: 1, stepsPerEpoch: 3,
                                                                    decayFactor: 0.9, stepEpochs: 1)) {
            XCTAssertTrue("\($0)".contains("--schedule onecycle needs at least 4 training steps, got 3"), "\($0)")
        }
        XCTAssertEqual(try OptimizerFactory.scheduleCallbacks("onecycle", learningRate: 0.1, epochs: 2, stepsPerEpoch: 2,
                                                              decayFactor: 0.9, stepEpochs: 1).count, 1)
        XCTAssertThrowsError(try OptimizerFactory.scheduleCallbacks("cosine", learningRate: 0.1, epochs: Int.max, stepsPerEpoch: 2,
                                                                    decayFactor: 0.9, stepEpochs: 1))
    }

    func testTrainingOptionsCheckTheDataDependentCounts() throws {
        var options = TrainingOptions()
        options.schedule = "onecycle"
        options.epochs = 1
        options.batchSize = 27_000
        XCTAssertNoThrow(try options.validate())
        XCTAssertThrowsError(try options.validate(trainingExamples: 54_000)) {
            XCTAssertTrue("\($0)".contains("needs at least 4 training steps, got 2"), "\($0)")
        }
        options.epochs = 2
        XCTAssertNoThrow(try options.validate(trainingExamples: 54_000))
        XCTAssertThrowsError(try options.validate(trainingExamples: 20_000)) {
            XCTAssertTrue("\($0)".contains("--batch-size 27000 is larger than the 20000 training examples"), "\($0)")
        }
    }

    func testVGGHonoursTheDropoutRateAndModelsWithoutDropoutRefuseIt() throws {
        func rates(_ name: String, _ dropout: Float?) throws -> [Float] {
            var options = ModelOptions()
            options.dropout = dropout
            var stack: [any Layer] = [try ModelCatalog.make(name, options: options)]
            var found: [Float] = []
            while let layer = stack.popLast() {
                if let layer = layer as? Dropout { found.append(layer.rate) }
                stack.append(contentsOf: layer.sublayers)
            }
            return found
        }
        XCTAssertEqual(try rates("vgg", nil), [0.5], "vgg's own default")
        XCTAssertEqual(try rates("vgg", 0.3), [0.3])
        XCTAssertEqual(try rates("cnn", nil), [0.2])
        XCTAssertEqual(try rates("inception", 0.1), [0.1])
        XCTAssertThrowsError(try rates("cnn", 1)) { XCTAssertTrue("\($0)".contains("--dropout must be in [0, 1), got 1.0"), "\($0)") }
        for name in ModelCatalog.names where !ModelCatalog.modelsWithDropout.contains(name) {
            var options = ModelOptions()
            options.dropout = 0.3
            XCTAssertThrowsError(try ModelCatalog.validate(name, options: options)) {
                XCTAssertTrue("\($0)".contains("--dropout does not apply to model \(name)"), "\($0)")
            }
        }
    }

    func testOptionsAnOlderStrataSavedForOtherModelsAreDroppedOnLoad() throws {
        var options = TrainingOptions()
        options.model = "resnet"
        options.modelOptions.dropout = 0.2
        options.modelOptions.width = 4
        XCTAssertThrowsError(try options.validate())
        let cleaned = options.withoutInapplicableModelOptions()
        XCTAssertNil(cleaned.modelOptions.dropout)
        XCTAssertNil(cleaned.modelOptions.width)
        XCTAssertNoThrow(try cleaned.validate())
    }

    func testResumingValidatesTheSavedOptions() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = ArgmaxOptions()
        options.decay = 2
        try JSONEncoder().encode(options).write(to: folder.appendingPathComponent("options.json"))
        try Data().write(to: folder.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertThrowsError(try RunFolder.resuming(folder.path, unit: "episode", options: ArgmaxOptions.self)) {
            XCTAssertTrue("\($0)".contains("options.json: --decay must be in (0, 1], got 2.0"), "\($0)")
        }
    }
}
