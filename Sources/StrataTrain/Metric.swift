import StrataCore

/// A quantity measured on predictions during training and evaluation, averaged over examples.
public enum Metric: Sendable, Equatable {
    /// The share of examples whose highest-scoring class is the target class (targets: labels (N)
    /// or one-hot (N, C)).
    case accuracy
    /// The share of examples whose target class is among the `k` highest scores.
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
            for i in 0..<n {
                let row = scores[(i * classes)..<((i + 1) * classes)]
                let target = row[row.startIndex + labels[i]]
                // The target is within the top k when fewer than k classes score strictly higher.
                let higher = row.reduce(0) { $0 + ($1 > target ? 1 : 0) }
                if higher < k { correct += 1 }
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

    /// Class indices from labels (N) or one-hot/probability rows (N, C).
    static func labels(of targets: Tensor, classes: Int) -> [Int] {
        if targets.rank == 2 && targets.shape[1] == classes && classes > 1 {
            return targets.argmax(axis: 1).scalars.map { Int($0) }
        }
        return targets.scalars.map { Int($0) }
    }
}
