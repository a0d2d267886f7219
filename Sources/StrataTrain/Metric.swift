import StrataCore

/// A quantity measured on predictions during training and evaluation, averaged over examples.
public enum Metric: Sendable, Equatable {
    /// The share of examples whose highest-scoring class is the target class, the first class on ties
    /// (`predictedClass`; targets: labels (N) or one-hot (N, C)); a row with a NaN or infinite score
    /// counts as wrong.
    case accuracy
    /// The share of examples whose target class is among the `k` highest scores, ties broken by class
    /// index (`ranksAmongTop`); a row with a NaN or infinite score counts as wrong.
    case topKAccuracy(Int)
    /// The share of yes/no predictions on the right side of `threshold` (targets 0 or 1).
    case binaryAccuracy(threshold: Float)
    /// The mean squared difference between predictions and targets.
    case meanSquaredError
    /// The mean absolute difference between predictions and targets.
    case meanAbsoluteError

    /// The name used in logs and histories, as Keras names it.
    public var name: String {
        switch self {
        case .accuracy: return "accuracy"
        case .topKAccuracy(let k): return "top_\(k)_accuracy"
        case .binaryAccuracy: return "binary_accuracy"
        case .meanSquaredError: return "mse"
        case .meanAbsoluteError: return "mae"
        }
    }

    /// The metric's sum over the batch and the number of examples it covers (so batches of
    /// different sizes average correctly).
    public func measure(predictions: Tensor, targets: Tensor) -> (total: Double, count: Int) {
        let n = predictions.shape.first ?? 0
        switch self {
        case .accuracy, .topKAccuracy:
            let k: Int
            if case .topKAccuracy(let value) = self { k = value } else { k = 1 }
            let labels = Metric.labels(of: targets, classes: predictions.shape.last ?? 1)
            let scores = predictions.contiguous().scalars
            let classes = predictions.count / Swift.max(n, 1)
            var correct = 0
            for i in 0..<n where Metric.ranksAmongTop(labels[i], of: scores[(i * classes)..<((i + 1) * classes)], k: k) {
                correct += 1
            }
            return (Double(correct), n)
        case .binaryAccuracy(let threshold):
            let p = predictions.scalars, t = targets.scalars
            var correct = 0
            for i in 0..<p.count where (p[i] > threshold) == (t[i] > 0.5) { correct += 1 }
            return (Double(correct) * Double(n) / Double(Swift.max(p.count, 1)), n)
        case .meanSquaredError, .meanAbsoluteError:
            let p = predictions.scalars, t = targets.scalars
            var total = 0.0
            for i in 0..<p.count {
                let d = Double(p[i] - t[i])
                total += self == .meanSquaredError ? d * d : Swift.abs(d)
            }
            // Per-example mean of the per-element errors, summed over the batch.
            return (total / Double(Swift.max(p.count, 1)) * Double(n), n)
        }
    }

    /// The predicted class of one row of scores `(C)`: the index (from 0) of the largest score, the
    /// first one on ties; nil when any score is NaN or infinite, so such a row is never counted right.
    /// `accuracy` and `ClassifierEvaluation` both decide by this function.
    public static func predictedClass(_ row: ArraySlice<Float>) -> Int? {
        guard let first = row.first, first.isFinite else { return nil }
        var best = row.startIndex
        for j in row.indices.dropFirst() {
            guard row[j].isFinite else { return nil }
            if row[j] > row[best] { best = j }
        }
        return best - row.startIndex
    }

    /// Whether class `target` is among the `k` best of one row of scores `(C)`, the classes ordered by
    /// score, highest first, and on equal scores by index, lowest first (so `k` 1 agrees with
    /// `predictedClass`); false when any score is NaN or infinite or `target` is out of range.
    public static func ranksAmongTop(_ target: Int, of row: ArraySlice<Float>, k: Int) -> Bool {
        guard target >= 0, target < row.count, row.allSatisfy(\.isFinite) else { return false }
        let score = row[row.startIndex + target]
        var ahead = 0
        for (j, value) in zip(0..., row) where value > score || (value == score && j < target) { ahead += 1 }
        return ahead < k
    }

    /// Class indices from labels (N) or one-hot/probability rows (N, C).
    static func labels(of targets: Tensor, classes: Int) -> [Int] {
        if targets.rank == 2 && targets.shape[1] == classes && classes > 1 {
            return targets.argmax(axis: 1).scalars.map { Int($0) }
        }
        return targets.scalars.map { Int($0) }
    }
}
