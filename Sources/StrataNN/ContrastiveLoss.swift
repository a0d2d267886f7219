import StrataCore

/// The contrastive loss (Hadsell, Chopra & LeCun 2006) over every pair i < j of a batch of
/// embeddings: d² for a pair of one person, max(0, margin − d)² for a pair of two people, with d the
/// Euclidean distance; the mean over the N(N − 1)/2 pairs.
///
/// Without Hadsell's ½ factors, as TensorFlow Addons' `contrastive_loss`. A batch of one embedding
/// has no pair and loss 0 (with zero gradients).
public struct ContrastiveLoss: Loss {
    /// `contrastive`.
    public var name: String { "contrastive" }
    /// The distance beyond which a pair of two people stops counting.
    public let margin: Float

    /// A contrastive loss (margin 1: half the largest distance between unit-length embeddings).
    public init(margin: Float = 1) {
        precondition(margin > 0, "ContrastiveLoss: margin must be positive, got \(margin)")
        self.margin = margin
    }

    /// The mean contrastive loss of embeddings `(N, D)` with person labels `(N)` stored as values.
    public func callAsFunction(predictions embeddings: Tensor, targets: Tensor) -> Tensor {
        let labels = EmbeddingLabels(embeddings: embeddings, targets: targets, loss: "ContrastiveLoss")
        let n = labels.count
        let pairs = n * (n - 1) / 2
        if pairs == 0 { return EmbeddingLabels.zeroLoss(from: embeddings) }
        // Masks over the upper triangle (N, N): pairs of one person, pairs of two.
        var same = [Float](repeating: 0, count: n * n), different = same
        for i in 0..<n {
            for j in (i + 1)..<n {
                if labels.same(i, j) { same[i * n + j] = 1 } else { different[i * n + j] = 1 }
            }
        }
        let distances = embeddings.pairwiseDistances()  // (N, N)
        let pull = distances.squared() * Tensor(shape: [n, n], scalars: same)
        let push = (margin - distances).relu().squared() * Tensor(shape: [n, n], scalars: different)
        return (pull + push).sum() / Float(pairs)
    }
}
