import StrataCore
import StrataData
import StrataTrain

/// A classifier's results on a labelled dataset: loss, accuracy, confusion matrix, and each
/// example's predicted class and probabilities (for ensembles).
public struct ClassifierEvaluation: Sendable {
    /// The mean cross-entropy.
    public let loss: Double
    /// The share of examples classified right.
    public let accuracy: Double
    /// `confusion[true][predicted]` counts.
    public let confusion: [[Int]]
    /// The predicted class of each example, in dataset order.
    public let predictions: [Int]
    /// The softmax probabilities, row-major `(N, C)`.
    public let probabilities: [Float]
    /// The number of classes `C`.
    public let classCount: Int

    /// Runs `model` over every example of `dataset` (in order, normalized to [0, 1], deskewed when the
    /// model was trained on deskewed images).
    public static func run(_ model: Model, on dataset: Dataset, augmentation: AugmentationChoice,
                           batchSize: Int = 500) throws -> ClassifierEvaluation {
        let loader = DataLoader(augmentation.prepared(dataset), batchSize: batchSize, shuffle: false)
        let batches = try DataLoaderBatches(loader, inputShape: model.inputShape)
        let classes = dataset.classCount
        var probabilities: [Float] = []
        probabilities.reserveCapacity(dataset.count * classes)
        var totalLoss = 0.0
        for (inputs, targets) in batches.batches(epoch: 0) {
            let logits = model.predict(inputs, batchSize: batchSize)
            guard logits.shape.last == classes else {
                throw ExperimentError("the model gives \(logits.shape.last ?? 0) outputs but the dataset has \(classes) classes")
            }
            totalLoss += Double(Tensor.softmaxCrossEntropy(logits: logits, labels: targets).scalar) * Double(inputs.shape[0])
            probabilities += logits.softmax().scalars
        }
        return ClassifierEvaluation(probabilities: probabilities, labels: dataset.labels, classCount: classes,
                                    loss: totalLoss / Double(Swift.max(dataset.count, 1)))
    }

    /// The evaluation of given probabilities `(N, C)` against `labels` (used for ensembles).
    public init(probabilities: [Float], labels: [Int], classCount: Int, loss: Double) {
        self.probabilities = probabilities
        self.classCount = classCount
        self.loss = loss
        var predictions: [Int] = []
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (i, label) in labels.enumerated() {
            let row = probabilities[(i * classCount)..<((i + 1) * classCount)]
            let predicted = row.indices.max { row[$0] < row[$1] }! - row.startIndex
            predictions.append(predicted)
            confusion[label][predicted] += 1
        }
        self.predictions = predictions
        self.confusion = confusion
        let correct = zip(predictions, labels).filter { $0 == $1 }.count
        accuracy = Double(correct) / Double(Swift.max(labels.count, 1))
    }

    /// Up to `limit` misclassified examples of `dataset`, for the report's image grid.
    public func mistakes(in dataset: Dataset, limit: Int = 32) -> [RunReport.Mistake] {
        var result: [RunReport.Mistake] = []
        for (i, predicted) in predictions.enumerated() where predicted != dataset.labels[i] {
            let pixels = Array(dataset.image(at: i).prefix(dataset.height * dataset.width))
            result.append(RunReport.Mistake(pixels: pixels, width: dataset.width, height: dataset.height,
                                            trueClass: dataset.labels[i], predictedClass: predicted))
            if result.count == limit { break }
        }
        return result
    }
}
