import StrataCore
import StrataData
import StrataTrain

/// A classifier's results on a labelled dataset: loss, accuracy, confusion matrix, and each
/// example's predicted class and probabilities (for ensembles).
public struct ClassifierEvaluation: Sendable {
    /// The mean cross-entropy.
    public let loss: Double
    /// The share of examples classified right (by `Metric.predictedClass`, as the training-time
    /// `accuracy` metric decides).
    public let accuracy: Double
    /// `confusion[true][predicted]` counts (examples without a prediction are in `unscored`).
    public let confusion: [[Int]]
    /// The predicted class of each example, in dataset order; −1 where a score was NaN or infinite
    /// (no prediction, counted wrong).
    public let predictions: [Int]
    /// Per true class, the examples whose scores were NaN or infinite (they count as wrong).
    public let unscored: [Int]
    /// The softmax probabilities, row-major `(N, C)`.
    public let probabilities: [Float]
    /// The number of classes `C`.
    public let classCount: Int

    /// Runs `model` over every example of `dataset` (in order, normalized to [0, 1], deskewed when the
    /// model was trained on deskewed images); with `testTimeAugmentation` above 1, averages the
    /// probabilities over that many views of each image (`TestTimeAugmentation`, mirrored views included
    /// when `augmentation` flips) and throws when there are not that many.
    public static func run(_ model: Model, on dataset: Dataset, augmentation: AugmentationChoice,
                           testTimeAugmentation views: Int = 1, batchSize: Int = 500) throws -> ClassifierEvaluation {
        if views != 1 {
            return try TestTimeAugmentation(views: views, mirroring: augmentation.flips)
                .evaluate(model, on: augmentation.prepared(dataset), batchSize: batchSize)
        }
        let loader = DataLoader(augmentation.prepared(dataset), batchSize: batchSize, shuffle: false)
        let batches = try DataLoaderBatches(loader, inputShape: model.inputShape)
        let classes = dataset.classCount
        var probabilities: [Float] = []
        probabilities.reserveCapacity(dataset.count * classes)
        var predictions: [Int] = []
        predictions.reserveCapacity(dataset.count)
        var totalLoss = 0.0
        for (inputs, targets) in batches.batches(epoch: 0) {
            let logits = model.predict(inputs, batchSize: batchSize)
            guard logits.shape.last == classes else {
                throw ExperimentError("the model gives \(logits.shape.last ?? 0) outputs but the dataset has \(classes) classes")
            }
            totalLoss += Double(Tensor.softmaxCrossEntropy(logits: logits, labels: targets).scalar) * Double(inputs.shape[0])
            probabilities += logits.softmax().scalars
            // Decided on the logits, as the training metric does (softmax can round two of them equal).
            predictions += ClassifierEvaluation.predictedClasses(logits.contiguous().scalars, classCount: classes)
        }
        return ClassifierEvaluation(predictions: predictions, probabilities: probabilities, labels: dataset.labels,
                                    classCount: classes, loss: totalLoss / Double(Swift.max(dataset.count, 1)))
    }

    /// The evaluation of given probabilities `(N, C)` against `labels` (used for ensembles).
    public init(probabilities: [Float], labels: [Int], classCount: Int, loss: Double) {
        self.init(predictions: ClassifierEvaluation.predictedClasses(probabilities, classCount: classCount),
                  probabilities: probabilities, labels: labels, classCount: classCount, loss: loss)
    }

    private init(predictions: [Int], probabilities: [Float], labels: [Int], classCount: Int, loss: Double) {
        self.probabilities = probabilities
        self.classCount = classCount
        self.loss = loss
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        var unscored = [Int](repeating: 0, count: classCount)
        for (label, predicted) in zip(labels, predictions) {
            if predicted >= 0 { confusion[label][predicted] += 1 } else { unscored[label] += 1 }
        }
        self.predictions = predictions
        self.confusion = confusion
        self.unscored = unscored
        let correct = zip(predictions, labels).filter { $0 == $1 }.count
        accuracy = Double(correct) / Double(Swift.max(labels.count, 1))
    }

    /// The predicted class of each row of `scores` `(N, C)` by `Metric.predictedClass`, −1 for a row
    /// with a NaN or infinite score.
    static func predictedClasses(_ scores: [Float], classCount: Int) -> [Int] {
        stride(from: 0, to: scores.count, by: Swift.max(classCount, 1)).map {
            Metric.predictedClass(scores[$0..<($0 + classCount)]) ?? -1
        }
    }

    /// Up to `limit` misclassified examples of `dataset`, for the report's image grid.
    public func mistakes(in dataset: Dataset, limit: Int = 32) -> [RunReport.Mistake] {
        var result: [RunReport.Mistake] = []
        for (i, predicted) in predictions.enumerated() where predicted >= 0 && predicted != dataset.labels[i] {
            let pixels = Array(dataset.image(at: i).prefix(dataset.height * dataset.width))
            result.append(RunReport.Mistake(pixels: pixels, width: dataset.width, height: dataset.height,
                                            trueClass: dataset.labels[i], predictedClass: predicted))
            if result.count == limit { break }
        }
        return result
    }
}
