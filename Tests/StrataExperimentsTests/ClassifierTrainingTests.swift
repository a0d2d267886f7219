import Foundation
import StrataCore
import StrataData
import StrataExperiments
import StrataTrain
import XCTest

/// Stops a run after a given number of epochs, as an interruption would.
final class InterruptAfter: Callback {
    let epochs: Int
    init(epochs: Int) { self.epochs = epochs }
    func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        if state.epoch + 1 == epochs { model.stopTraining = true }
    }
}

/// A CSV dataset of 8×8 images in three classes, written to `toy.csv` in `folder`: a bright row, column
/// or diagonal plus noise; `labelNoise` of the labels are replaced by random ones (so a large model overfits).
func writeToyClassifierData(in folder: URL, labelNoise: Double = 0) throws -> URL {
    var generator = RandomGenerator(seed: 3)
    var images: [UInt8] = [], labels: [Int] = []
    for i in 0..<240 {
        let label = i % 3
        let line = generator.nextInt(below: 8)
        for y in 0..<8 {
            for x in 0..<8 {
                let on = label == 0 ? y == line : (label == 1 ? x == line : x == y)
                images.append(on ? 200 : UInt8(generator.nextInt(below: 60)))
            }
        }
        labels.append(Double(generator.nextUniform()) < labelNoise ? generator.nextInt(below: 3) : label)
    }
    let dataset = try Dataset(name: "toy", images: images, labels: labels, height: 8, width: 8,
                              classNames: ["row", "column", "diagonal"])
    let url = folder.appendingPathComponent("toy.csv")
    try CSVDataset.write(dataset, to: url)
    return url
}

final class ClassifierTrainingTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-training-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The toy dataset of `writeToyClassifierData(in:labelNoise:)` in this test's folder.
    func writeToyDataset(labelNoise: Double = 0) throws -> URL {
        try writeToyClassifierData(in: folder, labelNoise: labelNoise)
    }

    func options(dataset: URL) -> TrainingOptions {
        var options = TrainingOptions()
        options.dataset = dataset.path
        options.model = "mlp"          // has dropout: resume must reproduce its masks too
        options.epochs = 3
        options.batchSize = 16
        options.schedule = "exponential"
        options.augment = "affine"
        options.seed = 11
        return options
    }

    func weights(_ run: TrainingRun) throws -> [String: [Float]] {
        let file = run.folder.url.appendingPathComponent("model.safetensors")
        return try Checkpoint.load(from: file).model.mapValues(\.scalars)
    }

    func testInterruptedRunResumesToBitIdenticalWeights() throws {
        let data = try writeToyDataset()
        let straight = try ClassifierTraining.start(options(dataset: data), output: folder.appendingPathComponent("a").path,
                                                    log: { _ in })
        let interrupted = folder.appendingPathComponent("b").path
        let partial = try ClassifierTraining.start(options(dataset: data), output: interrupted,
                                                   extraCallbacks: [InterruptAfter(epochs: 1)], log: { _ in })
        XCTAssertEqual(partial.history.epochs, [1])
        let resumed = try ClassifierTraining.resume(interrupted, log: { _ in })
        XCTAssertEqual(resumed.history.epochs, [1, 2, 3])
        XCTAssertEqual(resumed.history.csv(), straight.history.csv())
        XCTAssertEqual(try weights(resumed), try weights(straight), "resuming gives the same weights, bit for bit")
        XCTAssertEqual(resumed.metrics.testAccuracy, straight.metrics.testAccuracy)
        XCTAssertGreaterThan(straight.metrics.testAccuracy ?? 0, 0.6, "the toy problem is learnable")
    }

    func testResumeWithPlateauScheduleAndEarlyStoppingDecidesAsBefore() throws {
        let data = try writeToyDataset(labelNoise: 0.6)
        var options = options(dataset: data)
        options.epochs = 12
        options.schedule = "plateau"
        options.earlyStoppingPatience = 1
        options.learningRate = 0.02   // large enough for the validation loss to stall
        let straight = try ClassifierTraining.start(options, output: folder.appendingPathComponent("a").path, log: { _ in })
        XCTAssertLessThan(straight.history.epochs.count, 12, "early stopping must fire for this test to mean something")
        let interrupted = folder.appendingPathComponent("b").path
        _ = try ClassifierTraining.start(options, output: interrupted, extraCallbacks: [InterruptAfter(epochs: 2)], log: { _ in })
        let resumed = try ClassifierTraining.resume(interrupted, log: { _ in })
        XCTAssertEqual(resumed.history.csv(), straight.history.csv())
        XCTAssertEqual(try weights(resumed), try weights(straight))
    }

    func testRunFolderIsNeverOverwrittenWithoutPermission() throws {
        let data = try writeToyDataset()
        var quick = options(dataset: data)
        quick.epochs = 1
        let output = folder.appendingPathComponent("run").path
        _ = try ClassifierTraining.start(quick, output: output, log: { _ in })
        XCTAssertThrowsError(try ClassifierTraining.start(quick, output: output, log: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("already exists; pass --overwrite"), "\(error)")
        }
        XCTAssertNoThrow(try ClassifierTraining.start(quick, output: output, overwrite: true, log: { _ in }))
    }

    /// `align` deskews images once, before training and before evaluation (the bytes of
    /// `Dataset.deskewed()`), leaving no augmentation to run per draw; a run with it resumes exactly.
    func testAlignDeskewsOnceBeforeTrainingAndResumesExactly() throws {
        let url = try writeToyDataset()
        let dataset = try CSVDataset.load(from: url)
        XCTAssertEqual(AugmentationChoice.align.prepared(dataset).images, dataset.deskewed().images)
        XCTAssertNotEqual(dataset.deskewed().images, dataset.images, "deskewing must change the toy images")
        for choice in AugmentationChoice.allCases where choice != .align {
            XCTAssertEqual(choice.prepared(dataset).images, dataset.images, "\(choice)")
        }
        XCTAssertTrue(AugmentationChoice.align.trainingAugmentations.isEmpty)
        var aligned = options(dataset: url)
        aligned.augment = "align"
        let straight = try ClassifierTraining.start(aligned, output: folder.appendingPathComponent("a").path, log: { _ in })
        let interrupted = folder.appendingPathComponent("b").path
        _ = try ClassifierTraining.start(aligned, output: interrupted, extraCallbacks: [InterruptAfter(epochs: 1)], log: { _ in })
        let resumed = try ClassifierTraining.resume(interrupted, log: { _ in })
        XCTAssertEqual(resumed.history.csv(), straight.history.csv())
        XCTAssertEqual(try weights(resumed), try weights(straight))
        XCTAssertGreaterThan(straight.metrics.testAccuracy ?? 0, 0.6)
    }

    func testBatchLargerThanTheDataIsRefused() throws {
        let data = try writeToyDataset()
        var big = options(dataset: data)
        big.batchSize = 10_000
        XCTAssertThrowsError(try ClassifierTraining.start(big, output: folder.appendingPathComponent("big").path, log: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("--batch-size 10000 is larger than the 173 training examples"), "\(error)")
        }
    }
}
