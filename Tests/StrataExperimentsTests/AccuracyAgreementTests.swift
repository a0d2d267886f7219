import Foundation
import StrataCore
import StrataData
import StrataExperiments
import StrataNN
import StrataTrain
import XCTest

/// The accuracy logged while training (the `accuracy` metric) and `ClassifierEvaluation`'s (what
/// `strata evaluate` prints) are the same number on the same weights and data: trained weights, weights
/// that tie every class, and weights that make every score NaN.
final class AccuracyAgreementTests: XCTestCase {
    /// 60 images of 6×6 pixels in three classes (a bright row, column or diagonal) plus noise.
    func toyDataset() throws -> Dataset {
        var generator = RandomGenerator(seed: 5)
        var images: [UInt8] = [], labels: [Int] = []
        for i in 0..<60 {
            let label = i % 3, line = generator.nextInt(below: 6)
            for y in 0..<6 {
                for x in 0..<6 {
                    let on = label == 0 ? y == line : (label == 1 ? x == line : x == y)
                    images.append(on ? 200 : UInt8(generator.nextInt(below: 80)))
                }
            }
            labels.append(label)
        }
        return try Dataset(name: "toy", images: images, labels: labels, height: 6, width: 6, classNames: ["row", "column", "diagonal"])
    }

    /// The training loop's `accuracy` over `dataset` on the model's current weights: one more epoch of
    /// `fit` with a learning rate of 0 and the whole dataset as its one (and last) batch.
    func trainingTimeAccuracy(_ model: Model, on dataset: Dataset) throws -> Double {
        let optimizer = try XCTUnwrap(model.optimizer)
        let rate = optimizer.learningRate
        optimizer.learningRate = 0
        defer { optimizer.learningRate = rate }
        let batches = try DataLoaderBatches(DataLoader(dataset, batchSize: dataset.count, shuffle: false),
                                            inputShape: model.inputShape)
        // The NaN-weights case has a NaN loss: measured anyway, as the loop would with --allow-nonfinite.
        let history = try model.fit(batches, epochs: 1, verbose: false, allowNonFiniteLoss: true)
        return try XCTUnwrap(history["accuracy"].last)
    }

    func testTheTrainingMetricAndTheEvaluationAgreeExactly() throws {
        let dataset = try toyDataset()
        let model = try Model(inputShape: [1, 6, 6], seed: 3) { Flatten(); Dense(8, activation: .relu); Dense(3) }
        model.compile(optimizer: SGD(learningRate: 0.05), loss: SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: [.accuracy])
        let training = try DataLoaderBatches(DataLoader(dataset, batchSize: 10, shuffle: true, seed: 1), inputShape: model.inputShape)
        try model.fit(training, epochs: 3, verbose: false)

        let before = model.parameters.flatMap { $0.tensor.scalars }
        let logged = try trainingTimeAccuracy(model, on: dataset)
        XCTAssertEqual(model.parameters.flatMap { $0.tensor.scalars }, before, "a learning rate of 0 leaves the weights")
        let evaluated = try ClassifierEvaluation.run(model, on: dataset, augmentation: .none)
        XCTAssertEqual(logged, evaluated.accuracy)
        XCTAssertEqual(try XCTUnwrap(model.evaluate(DataLoaderBatches(DataLoader(dataset, batchSize: 500, shuffle: false),
                                                                    inputShape: model.inputShape))["accuracy"]), evaluated.accuracy)
        XCTAssertGreaterThan(evaluated.accuracy, 0.4, "the toy problem is learnt a little")

        // Every weight 0: every class ties, so both pick the first class, right for a third of the images.
        for parameter in model.parameters {
            parameter.tensor.pointer.update(repeating: 0, count: parameter.tensor.count)
        }
        let tiedLogged = try trainingTimeAccuracy(model, on: dataset)
        let tied = try ClassifierEvaluation.run(model, on: dataset, augmentation: .none)
        XCTAssertEqual(tiedLogged, 1.0 / 3)
        XCTAssertEqual(tied.accuracy, 1.0 / 3)
        XCTAssertEqual(tied.predictions, [Int](repeating: 0, count: dataset.count))

        // A NaN bias: every score is NaN, and no image counts as right.
        model.parameters.last!.tensor.pointer[0] = .nan
        let nanLogged = try trainingTimeAccuracy(model, on: dataset)
        let nan = try ClassifierEvaluation.run(model, on: dataset, augmentation: .none)
        XCTAssertEqual(nanLogged, 0)
        XCTAssertEqual(nan.accuracy, 0)
        XCTAssertEqual(nan.unscored, [20, 20, 20], "every image is counted as unscored under its true class")
        XCTAssertEqual(nan.confusion.flatMap { $0 }.reduce(0, +), 0)
        let scores = RunMetrics.classScores(confusion: nan.confusion, classNames: dataset.classNames, unscored: nan.unscored)
        XCTAssertEqual(scores.map(\.support), [20, 20, 20])
        XCTAssertEqual(scores.map(\.recall), [0, 0, 0])
        XCTAssertTrue(nan.mistakes(in: dataset).isEmpty, "images without a prediction have no predicted class to show")
    }
}
