import StrataCore

/// A loss: a scalar tensor from a batch of predictions and targets, averaged over the batch.
///
/// Losses take `(predictions:targets:)`; those with `fromLogits` accept raw scores (and are then
/// computed by Strata's fused, numerically stable kernels) or probabilities.
public protocol Loss {
    /// The name used in logs and histories (`sparse_categorical_crossentropy`).
    var name: String { get }
    /// The mean loss of the batch.
    func callAsFunction(predictions: Tensor, targets: Tensor) -> Tensor
}

/// Cross-entropy against integer class labels (N), stored as values of a tensor.
public struct SparseCategoricalCrossentropy: Loss {
    /// `sparse_categorical_crossentropy`.
    public var name: String { "sparse_categorical_crossentropy" }
    /// Whether predictions are raw scores (true) or probabilities (false, Keras's default).
    public let fromLogits: Bool
    /// The share ε of the target mass spread evenly over the classes: targets (1 − ε)·onehot + ε / C.
    public let labelSmoothing: Float

    /// A sparse categorical cross-entropy.
    public init(fromLogits: Bool = false, labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing < 1, "SparseCategoricalCrossentropy: label smoothing must be in [0, 1)")
        self.fromLogits = fromLogits
        self.labelSmoothing = labelSmoothing
    }

    /// The mean cross-entropy of predictions `(N, C)` against labels `(N)`.
    public func callAsFunction(predictions: Tensor, targets: Tensor) -> Tensor {
        precondition(predictions.rank == 2, "\(name): predictions must be (N, C), got \(predictions.shape)")
        let labels = targets.scalars.map { Int($0) }
        if fromLogits && labelSmoothing == 0 {
            return Tensor.softmaxCrossEntropy(logits: predictions, labels: labels)
        }
        let classes = predictions.shape[1]
        let oneHot = Tensor.oneHot(labels, classes: classes)
        return CategoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing)(
            predictions: predictions, targets: oneHot)
    }
}

/// Cross-entropy against target distributions `(N, C)` (one-hot or soft labels).
public struct CategoricalCrossentropy: Loss {
    /// `categorical_crossentropy`.
    public var name: String { "categorical_crossentropy" }
    /// Whether predictions are raw scores (true) or probabilities (false, Keras's default).
    public let fromLogits: Bool
    /// The share ε of the target mass spread evenly over the classes.
    public let labelSmoothing: Float

    /// A categorical cross-entropy.
    public init(fromLogits: Bool = false, labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing < 1, "CategoricalCrossentropy: label smoothing must be in [0, 1)")
        self.fromLogits = fromLogits
        self.labelSmoothing = labelSmoothing
    }

    /// The mean of −Σ t·log p over the batch.
    public func callAsFunction(predictions: Tensor, targets: Tensor) -> Tensor {
        precondition(predictions.rank == 2 && predictions.shape == targets.shape,
                     "\(name): predictions \(predictions.shape) and targets \(targets.shape) must both be (N, C)")
        let classes = Float(predictions.shape[1])
        let smoothed = labelSmoothing == 0 ? targets : targets * (1 - labelSmoothing) + labelSmoothing / classes
        if fromLogits {
            return Tensor.softmaxCrossEntropy(logits: predictions, probabilities: smoothed)
        }
        // Probabilities: renormalize each row (as Keras does) and clip away from 0 before the log.
        let normalized = predictions / predictions.sum(alongAxes: [1], keepingDimensions: true)
        let logs = normalized.clamped(min: 1e-7, max: 1 - 1e-7).log()
        return -(smoothed * logs).sum() / Float(predictions.shape[0])
    }
}

/// Binary cross-entropy of independent yes/no predictions against targets in [0, 1].
public struct BinaryCrossentropy: Loss {
    /// `binary_crossentropy`.
    public var name: String { "binary_crossentropy" }
    /// Whether predictions are raw scores (true) or probabilities (false, Keras's default).
    public let fromLogits: Bool

    /// A binary cross-entropy.
    public init(fromLogits: Bool = false) { self.fromLogits = fromLogits }

    /// The mean of −(t·log p + (1 − t)·log(1 − p)) over all elements.
    public func callAsFunction(predictions: Tensor, targets: Tensor) -> Tensor {
        precondition(predictions.shape == targets.shape,
                     "\(name): predictions \(predictions.shape) and targets \(targets.shape) differ")
        if fromLogits { return Tensor.binaryCrossEntropy(logits: predictions, targets: targets) }
        let p = predictions.clamped(min: 1e-7, max: 1 - 1e-7)
        return -(targets * p.log() + (1 - targets) * (1 - p).log()).mean()
    }
}

/// The RankNet pairwise loss: binary cross-entropy of σ(s_a − s_b) against the probability that
/// item a ranks above item b (Burges et al., 2005).
public struct RankNetLoss: Loss {
    /// `ranknet`.
    public var name: String { "ranknet" }

    /// A RankNet loss.
    public init() {}

    /// The loss of score differences `s_a − s_b` (N, 1) or (N) against target probabilities.
    public func callAsFunction(predictions scoreDifferences: Tensor, targets: Tensor) -> Tensor {
        Tensor.binaryCrossEntropy(logits: scoreDifferences.reshaped(targets.shape), targets: targets)
    }

    /// The loss of a pair of score batches: σ(a − b) against the probability that a ranks above b.
    public func callAsFunction(scoresA: Tensor, scoresB: Tensor, targets: Tensor) -> Tensor {
        self(predictions: scoresA - scoresB, targets: targets)
    }
}
