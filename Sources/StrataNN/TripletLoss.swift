import StrataCore

/// The triplet loss of a batch of embeddings with online mining: for an anchor a, a positive p (same
/// label) and a negative n (another label), relu(d(a, p) − d(a, n) + margin), with the triplets
/// chosen inside the batch from its distances (batches of P people × K photos each).
///
/// - `.batchHard` (Hermans, Beyer & Leibe 2017, "In defense of the triplet loss"): one triplet per
///   anchor, with its farthest positive and its nearest negative; the mean over anchors.
/// - `.semiHard` (Schroff et al. 2015, FaceNet; TensorFlow Addons' `triplet_semihard_loss`): one
///   triplet per anchor-positive pair (a, p), a ≠ p, with the nearest negative farther than p, or,
///   when no negative is farther, the farthest negative; the mean over anchor-positive pairs.
///
/// Distances are Euclidean ‖a − b‖ (as both references), or with `squared` ‖a − b‖² (FaceNet's).
/// Anchors without a positive (the only photo of its person in the batch) and anchors without a
/// negative (a batch of one person) form no triplet and are left out of the mean; a batch with no
/// triplet at all has loss 0 (and zero gradients), never NaN. Ties go to the lowest index. The
/// gradient flows through both chosen distances, as in the references.
public struct TripletLoss: Loss {
    /// How the triplets are chosen in the batch.
    public enum Mining: String, Sendable {
        /// Per anchor, the farthest positive and the nearest negative.
        case batchHard
        /// Per anchor-positive pair, the nearest negative farther than the positive, else the farthest.
        case semiHard
    }

    /// One chosen triplet, as indices into the batch.
    public struct Triplet: Equatable, Sendable {
        /// The anchor's index.
        public let anchor: Int
        /// The positive's index (same label as the anchor).
        public let positive: Int
        /// The negative's index (another label).
        public let negative: Int

        /// A triplet of batch indices.
        public init(anchor: Int, positive: Int, negative: Int) {
            self.anchor = anchor
            self.positive = positive
            self.negative = negative
        }
    }

    /// `triplet_batch_hard` or `triplet_semi_hard`.
    public var name: String { mining == .batchHard ? "triplet_batch_hard" : "triplet_semi_hard" }
    /// How far the negative must be beyond the positive before a triplet stops counting.
    public let margin: Float
    /// How the triplets are chosen.
    public let mining: Mining
    /// Whether distances are squared Euclidean (true) or Euclidean (false).
    public let squared: Bool

    /// A triplet loss; the default margin 0.2 is FaceNet's, for unit-length embeddings.
    public init(margin: Float = 0.2, mining: Mining = .batchHard, squared: Bool = false) {
        precondition(margin >= 0, "TripletLoss: margin must be ≥ 0, got \(margin)")
        self.margin = margin
        self.mining = mining
        self.squared = squared
    }

    /// The mean triplet loss of embeddings `(N, D)` with person labels `(N)` stored as values.
    public func callAsFunction(predictions embeddings: Tensor, targets: Tensor) -> Tensor {
        let labels = EmbeddingLabels(embeddings: embeddings, targets: targets, loss: "TripletLoss (\(mining.rawValue))")
        let n = labels.count
        let distances = embeddings.pairwiseDistances(squared: squared)  // (N, N)
        let triplets = mine(distances: distances.scalars, labels: labels)
        if triplets.isEmpty { return EmbeddingLabels.zeroLoss(from: embeddings) }
        let flat = distances.reshaped([n * n])
        let positive = flat.gather(triplets.map { $0.anchor * n + $0.positive })  // (T)
        let negative = flat.gather(triplets.map { $0.anchor * n + $0.negative })  // (T)
        return (positive - negative + margin).relu().mean()
    }

    /// The triplets this loss's mining picks in a batch of embeddings `(N, D)` with labels `(N)`.
    public func triplets(embeddings: Tensor, labels targets: Tensor) -> [Triplet] {
        let labels = EmbeddingLabels(embeddings: embeddings, targets: targets, loss: "TripletLoss (\(mining.rawValue))")
        let distances = noGrad { embeddings.pairwiseDistances(squared: squared) }
        return mine(distances: distances.scalars, labels: labels)
    }

    /// The triplets picked from the row-major (N, N) `distances`.
    func mine(distances d: [Float], labels: EmbeddingLabels) -> [Triplet] {
        let n = labels.count
        var triplets: [Triplet] = []
        for a in 0..<n {
            let row = a * n
            let negatives = (0..<n).filter { !labels.same(a, $0) }
            let positives = (0..<n).filter { $0 != a && labels.same(a, $0) }
            guard !negatives.isEmpty, !positives.isEmpty else { continue }
            switch mining {
            case .batchHard:
                var hardestPositive = positives[0], hardestNegative = negatives[0]
                for p in positives where d[row + p] > d[row + hardestPositive] { hardestPositive = p }
                for m in negatives where d[row + m] < d[row + hardestNegative] { hardestNegative = m }
                triplets.append(Triplet(anchor: a, positive: hardestPositive, negative: hardestNegative))
            case .semiHard:
                // Negatives by distance (stable, so ties keep index order); the first one farther
                // than the positive is the semi-hard one, the last the farthest.
                let sorted = negatives.sorted { d[row + $0] < d[row + $1] || (d[row + $0] == d[row + $1] && $0 < $1) }
                for p in positives {
                    let firstFarther = Self.firstIndex(in: sorted, fartherThan: d[row + p], row: row, distances: d)
                    let negative = firstFarther < sorted.count ? sorted[firstFarther] : Self.farthest(sorted, row: row, distances: d)
                    triplets.append(Triplet(anchor: a, positive: p, negative: negative))
                }
            }
        }
        return triplets
    }

    /// The position in `sorted` (ascending distances) of the first distance > `limit`, or `sorted.count`.
    private static func firstIndex(in sorted: [Int], fartherThan limit: Float, row: Int, distances d: [Float]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if d[row + sorted[middle]] > limit { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The farthest of the ascending `sorted` negatives, the lowest index among ties.
    private static func farthest(_ sorted: [Int], row: Int, distances d: [Float]) -> Int {
        let largest = d[row + sorted[sorted.count - 1]]
        return sorted.first { d[row + $0] == largest }!
    }
}
