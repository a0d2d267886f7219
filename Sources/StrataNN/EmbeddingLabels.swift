import StrataCore

/// The integer labels of a batch of embeddings, checked against the embeddings' shape once per batch;
/// the metric-learning losses build their pair masks from it (labels carry no gradient).
struct EmbeddingLabels {
    /// One label per embedding.
    let labels: [Int]
    /// The number of embeddings N.
    var count: Int { labels.count }

    /// The labels stored as values of `targets` (N) or (N, 1) for embeddings `(N, D)`; traps naming
    /// `loss` and both shapes when they disagree, or when a label is not a whole number ≥ 0.
    init(embeddings: Tensor, targets: Tensor, loss: String) {
        let n = embeddings.shape.first ?? 0
        precondition(embeddings.rank == 2 && (targets.shape == [n] || targets.shape == [n, 1]),
                     "\(loss): predictions must be embeddings (N, D) and targets their labels (N); got predictions \(embeddings.shape) and targets \(targets.shape)")
        labels = targets.scalars.map { value in
            precondition(value >= 0 && value.rounded() == value && value < 1e9,
                         "\(loss): labels must be whole numbers ≥ 0, got \(value)")
            return Int(value)
        }
    }

    /// Whether embeddings `i` and `j` belong to the same person.
    @inline(__always)
    func same(_ i: Int, _ j: Int) -> Bool { labels[i] == labels[j] }

    /// A rank-0 zero that is recorded on the tape from `embeddings` (so `backward()` works and gives
    /// zero gradients): the value of a loss when the batch holds no usable pair or triplet.
    static func zeroLoss(from embeddings: Tensor) -> Tensor {
        (embeddings * 0).sum()
    }
}
