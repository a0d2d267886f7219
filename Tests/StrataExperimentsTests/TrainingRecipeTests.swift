import Foundation
import StrataCore
import StrataData
import StrataExperiments
import StrataNN
import StrataTestSupport
import StrataTrain
import XCTest

/// The options of the accuracy recipes on `strata train`: combined augmentations (erasing, flip), weight
/// averaging (`--ema`, `--swa-start`), learning-rate warm-up and test-time augmentation.
final class TrainingRecipeTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-recipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func options(dataset: URL) -> TrainingOptions {
        var options = TrainingOptions()
        options.dataset = dataset.path
        options.model = "mlp"
        options.epochs = 3
        options.batchSize = 16
        options.seed = 11
        return options
    }

    func testAugmentationsCombineWithPlusAndActInAFixedOrder() throws {
        let choice = try AugmentationChoice.parse("erasing+flip+affine")
        XCTAssertEqual(choice.parts, [.erasing, .flip, .affine])
        XCTAssertEqual(choice.rawValue, "erasing+flip+affine")
        XCTAssertEqual(AugmentationChoice(rawValue: "erasing+flip+affine"), choice)
        XCTAssertTrue(choice.flips)
        let kinds = choice.trainingAugmentations.map { String(describing: type(of: $0)) }
        XCTAssertEqual(kinds, ["RandomAffine", "RandomHorizontalFlip", "RandomErasing"])
        let erasing = try XCTUnwrap(choice.trainingAugmentations.last as? RandomErasing)
        XCTAssertEqual(erasing.probability, 0.5)
        XCTAssertEqual(erasing.area, 0.02...0.33)
        XCTAssertEqual(erasing.aspectRatio, 0.3...3.3)
        XCTAssertEqual(erasing.value, 0)
        // The single choices keep their augmentations.
        let affine = try XCTUnwrap(AugmentationChoice.affine.trainingAugmentations.first as? RandomAffine)
        XCTAssertEqual([affine.rotationDegrees, affine.translation, affine.shearDegrees], [10, 0.1, 10])
        XCTAssertEqual(affine.scale, 0.9...1.1)
        XCTAssertEqual(AugmentationChoice.elastic.trainingAugmentations.count, 2)
        XCTAssertTrue(AugmentationChoice.none.trainingAugmentations.isEmpty)
        let aligned = try AugmentationChoice.parse("align+affine")
        XCTAssertTrue(aligned.aligns)
        XCTAssertEqual(aligned.trainingAugmentations.count, 1)
        XCTAssertFalse(aligned.flips)

        for (text, message) in [("rotate", "unknown augmentation 'rotate'; choose one of: none, affine, align, elastic, erasing, flip"),
                                ("affine+", "unknown augmentation '' in --augment affine+"),
                                ("flip+flip", "--augment flip+flip names flip twice"),
                                ("none+flip", "none cannot be combined"),
                                ("elastic+affine", "affine and elastic both warp the image")] {
            XCTAssertThrowsError(try AugmentationChoice.parse(text), text) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
            XCTAssertNil(AugmentationChoice(rawValue: text))
        }
    }

    func testTestTimeAugmentationViewsAreFixedAndBounded() throws {
        XCTAssertEqual(try TestTimeAugmentation(views: 5, mirroring: false).views.map(\.description),
                       ["identity", "shift(1,0)", "shift(-1,0)", "shift(0,1)", "shift(0,-1)"])
        XCTAssertEqual(try TestTimeAugmentation(views: 4, mirroring: true).views.map(\.description),
                       ["identity", "mirror", "shift(1,0)", "mirror+shift(1,0)"])
        XCTAssertEqual(try TestTimeAugmentation(views: 9, mirroring: false).views.last?.description, "shift(-1,1)")
        XCTAssertEqual(try TestTimeAugmentation(views: 18, mirroring: true).views.count, 18)
        for (count, mirroring, message) in [(10, false, "--tta must be in 1...9"), (0, false, "got 0"), (19, true, "1...18")] {
            XCTAssertThrowsError(try TestTimeAugmentation(views: count, mirroring: mirroring)) {
                XCTAssertTrue("\($0)".contains(message), "\($0)")
            }
        }
    }

    /// With n views, the probabilities are the mean of the model's probabilities on each shifted copy of
    /// the test set; one view is the plain evaluation.
    func testTestTimeAugmentationAveragesTheViewsProbabilities() throws {
        let data = try CSVDataset.load(from: try writeToyClassifierData(in: folder))
        let model = try ClassifierTraining.buildModel(options(dataset: folder), for: data)
        let plain = try ClassifierEvaluation.run(model, on: data, augmentation: .none)
        let one = try ClassifierEvaluation.run(model, on: data, augmentation: .none, testTimeAugmentation: 1)
        XCTAssertEqual(one.probabilities, plain.probabilities)
        XCTAssertEqual(one.predictions, plain.predictions)

        let three = try ClassifierEvaluation.run(model, on: data, augmentation: .none, testTimeAugmentation: 3)
        let views = [data, data.translated(x: 1, y: 0), data.translated(x: -1, y: 0)]
        let each = try views.map { try ClassifierEvaluation.run(model, on: $0, augmentation: .none).probabilities }
        let mean = (0..<each[0].count).map { i in (each[0][i] + each[1][i] + each[2][i]) / 3 }
        assertClose(three.probabilities, mean, rtol: 1e-5, atol: 1e-7)
        XCTAssertNotEqual(three.probabilities, plain.probabilities)
        let loss = zip(0..<data.count, data.labels).map { -log(Double(mean[$0 * 3 + $1])) }.reduce(0, +) / Double(data.count)
        XCTAssertEqual(three.loss, loss, accuracy: 1e-5)
        // A flip-trained model's second view is the mirror image.
        let mirrored = try ClassifierEvaluation.run(model, on: data, augmentation: .flip, testTimeAugmentation: 2)
        let mirror = try ClassifierEvaluation.run(model, on: data.translated(x: 0, y: 0, mirrored: true), augmentation: .none)
        assertClose(mirrored.probabilities, zip(plain.probabilities, mirror.probabilities).map { ($0 + $1) / 2 },
                    rtol: 1e-5, atol: 1e-7)
    }

    func weights(_ url: URL) throws -> [String: [Float]] {
        try Checkpoint.load(from: url).model.mapValues(\.scalars)
    }

    /// EMA and SWA runs (with warm-up, erasing and flips, and test-time augmentation) stopped after one
    /// epoch and resumed end bit for bit as the straight runs; the saved model holds the average (for SWA
    /// with batch-norm statistics recomputed), and the checkpoint the trained weights beside it.
    func testAveragedRunsResumeExactlyAndSaveTheAverage() throws {
        let data = try writeToyClassifierData(in: folder)
        var ema = options(dataset: data)
        ema.emaDecay = 0.9
        ema.warmupEpochs = 1
        ema.schedule = "cosine"
        ema.augment = "affine+erasing"
        ema.testTimeAugmentation = 3
        var swa = options(dataset: data)
        swa.model = "resnet"
        swa.modelOptions.resnetDepth = 8
        swa.swaStart = 2
        swa.augment = "flip+erasing"
        swa.testTimeAugmentation = 2
        for (name, options) in [("ema", ema), ("swa", swa)] {
            let straight = try ClassifierTraining.start(options, output: folder.appendingPathComponent("\(name)-a").path,
                                                        log: { _ in })
            let interrupted = folder.appendingPathComponent("\(name)-b").path
            _ = try ClassifierTraining.start(options, output: interrupted, extraCallbacks: [InterruptAfter(epochs: 1)],
                                             log: { _ in })
            let resumed = try ClassifierTraining.resume(interrupted, log: { _ in })
            XCTAssertEqual(resumed.history.csv(), straight.history.csv(), name)
            let final = straight.folder.url.appendingPathComponent("model.safetensors")
            XCTAssertEqual(try weights(resumed.folder.url.appendingPathComponent("model.safetensors")), try weights(final), name)
            XCTAssertEqual(resumed.metrics.testAccuracy, straight.metrics.testAccuracy, name)
            XCTAssertEqual(straight.metrics.options["testTimeAugmentation"], String(options.testTimeAugmentation ?? 0))

            let checkpoint = try Checkpoint.load(from: straight.folder.checkpoint)
            let averaged = checkpoint.otherTensors.filter { $0.key.hasPrefix(WeightAveraging.tensorPrefix) }
                .reduce(into: [String: [Float]]()) { $0[String($1.key.dropFirst(WeightAveraging.tensorPrefix.count))] = $1.value.scalars }
            let saved = try weights(final)
            XCTAssertEqual(Set(averaged.keys), Set(saved.keys), name)
            XCTAssertNotEqual(checkpoint.model.mapValues(\.scalars), saved, "\(name): the checkpoint keeps the trained weights")
            for (key, values) in saved {
                if key.hasSuffix("moving_mean") || key.hasSuffix("moving_variance") {
                    XCTAssertNotEqual(values, averaged[key], "\(name): \(key) is recomputed after SWA")
                } else {
                    XCTAssertEqual(values, averaged[key], "\(name): \(key) is the average")
                }
            }
            XCTAssertEqual(name == "swa", saved.keys.contains { $0.hasSuffix("moving_mean") })
            // `strata evaluate` reads the averaged model and the run's --tta.
            let classifier = try TrainedClassifier(straight.folder.url.path, for: try CSVDataset.load(from: data))
            XCTAssertEqual(classifier.model.parameters.first?.tensor.scalars, saved[classifier.model.parameters[0].name])
        }
    }

    func testWarmupPrecedesTheScheduleOverTheEpochsLeft() throws {
        let callbacks = try OptimizerFactory.scheduleCallbacks("cosine", learningRate: 0.1, epochs: 5, stepsPerEpoch: 4,
                                                               decayFactor: 0.98, stepEpochs: 10, warmupEpochs: 2)
        let warmup = try XCTUnwrap((callbacks.first as? LearningRateScheduler)?.schedule as? LinearWarmup)
        XCTAssertEqual(warmup.warmupSteps, 8)
        XCTAssertEqual((warmup.schedule as? CosineDecay)?.totalSteps, 12)
        assertClose(warmup.learningRate(epoch: 0, step: 0, stepsPerEpoch: 4), 0.001)
        XCTAssertEqual(warmup.learningRate(epoch: 2, step: 8, stepsPerEpoch: 4), 0.1)
        let constant = try OptimizerFactory.scheduleCallbacks("constant", learningRate: 0.1, epochs: 5, stepsPerEpoch: 4,
                                                              decayFactor: 0.98, stepEpochs: 10, warmupEpochs: 1)
        let flat = try XCTUnwrap((constant.first as? LearningRateScheduler)?.schedule as? LinearWarmup)
        XCTAssertEqual(flat.learningRate(epoch: 3, step: 13, stepsPerEpoch: 4), 0.1)
        XCTAssertTrue(try OptimizerFactory.scheduleCallbacks("constant", learningRate: 0.1, epochs: 5, stepsPerEpoch: 4,
                                                             decayFactor: 0.98, stepEpochs: 10).isEmpty)
        XCTAssertThrowsError(try OptimizerFactory.scheduleCallbacks("plateau", learningRate: 0.1, epochs: 5, stepsPerEpoch: 4,
                                                                    decayFactor: 0.98, stepEpochs: 10, warmupEpochs: 1))
    }

    /// The new options appear in the command line and the described values only when set.
    func testNewOptionsAreDescribedOnlyWhenSet() throws {
        var options = TrainingOptions()
        let plainCommand = options.commandLine()
        XCTAssertFalse(plainCommand.contains("--ema") || plainCommand.contains("--tta") || plainCommand.contains("--warmup"))
        XCTAssertNil(options.describedValues()["emaDecay"])
        options.emaDecay = 0.999
        options.warmupEpochs = 2
        options.testTimeAugmentation = 3
        options.augment = "flip+erasing"
        XCTAssertTrue(options.commandLine().hasSuffix("--augment flip+erasing --warmup-epochs 2 --ema 0.999 --tta 3"),
                      options.commandLine())
        XCTAssertEqual(options.describedValues()["emaDecay"], "0.999")
        let decoded = try JSONDecoder().decode(TrainingOptions.self, from: JSONEncoder().encode(options))
        XCTAssertEqual(decoded, options)
        let old = try JSONDecoder().decode(TrainingOptions.self, from: JSONEncoder().encode(TrainingOptions()))
        XCTAssertNil(old.emaDecay)
    }
}
