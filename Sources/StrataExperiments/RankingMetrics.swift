import Foundation

/// How well scores order items of graded relevance: Kendall's τ_b, Spearman's ρ, pairwise accuracy
/// and NDCG@k. Scores are "higher ranks higher"; relevance is "higher is more relevant".
///
/// Class labels tie heavily (a thousand test images per digit), so every measure here handles ties:
/// τ_b corrects for ties on both sides, ρ uses average ranks, pairwise accuracy counts a tied score
/// as half right, and NDCG breaks ties in the scores by the items' order in the input.
///
/// ```swift
/// let relevance = labels.map { Double(9 - $0) }          // digit 0 most relevant
/// let tau = RankingMetrics.kendallTau(scores, relevance)  // +1: scores order the digits exactly
/// let ndcg = RankingMetrics.ndcg(scores: scores, relevance: relevance, k: 10)
/// ```
///
/// τ_b and pairwise accuracy take O(n log n) time (Knight's method: one sort, then discordant
/// pairs counted as inversions with a Fenwick tree), so the 50 million pairs of a 10,000-image
/// test set cost milliseconds.
public enum RankingMetrics {
    /// The gain of an item of relevance `r` in DCG.
    public enum Gain: String, Codable, Sendable {
        /// `2^r − 1` (Burges et al. 2005, LETOR): each relevance step doubles the gain.
        case exponential
        /// `r` (scikit-learn's `ndcg_score`).
        case linear

        /// The gain of relevance `r`.
        public func callAsFunction(_ r: Double) -> Double {
            switch self {
            case .exponential: return Foundation.pow(2, r) - 1
            case .linear: return r
            }
        }
    }

    /// The pair counts behind τ_b and pairwise accuracy, over all `n(n − 1)/2` pairs of items.
    public struct PairCounts: Equatable, Sendable {
        /// All pairs: `n(n − 1)/2`.
        public var pairs: Int
        /// Pairs tied in the first variable (scores).
        public var tiedFirst: Int
        /// Pairs tied in the second variable (relevance).
        public var tiedSecond: Int
        /// Pairs tied in both.
        public var tiedBoth: Int
        /// Pairs ordered oppositely by the two variables.
        public var discordant: Int

        /// Counts of the given sizes.
        public init(pairs: Int, tiedFirst: Int, tiedSecond: Int, tiedBoth: Int, discordant: Int) {
            self.pairs = pairs
            self.tiedFirst = tiedFirst
            self.tiedSecond = tiedSecond
            self.tiedBoth = tiedBoth
            self.discordant = discordant
        }

        /// Pairs ordered the same way by both variables.
        public var concordant: Int { pairs - tiedFirst - tiedSecond + tiedBoth - discordant }
    }

    /// Counts concordant, discordant and tied pairs of `(x[i], y[i])` in O(n log n).
    public static func pairCounts(_ x: [Double], _ y: [Double]) -> PairCounts {
        precondition(x.count == y.count, "RankingMetrics: \(x.count) scores but \(y.count) relevance values")
        precondition(x.allSatisfy(\.isFinite) && y.allSatisfy(\.isFinite), "RankingMetrics: values must be finite")
        let n = x.count
        // Sort by x, then y: pairs tied in x are then in ascending y and form no inversion, so the
        // strict inversions of the y sequence are exactly the discordant pairs.
        let order = (0..<n).sorted { x[$0] != x[$1] ? x[$0] < x[$1] : y[$0] < y[$1] }
        let tiedFirst = tiedPairs(order.map { x[$0] })
        let tiedBoth = tiedPairs(order.map { PairKey(x: x[$0], y: y[$0]) })
        let tiedSecond = tiedPairs(y.sorted())
        let distinctY = Array(Set(y)).sorted()
        let rankOfY = Dictionary(uniqueKeysWithValues: distinctY.enumerated().map { ($1, $0 + 1) })
        var tree = [Int](repeating: 0, count: distinctY.count + 1)
        var discordant = 0
        for (seen, index) in order.enumerated() {
            let rank = rankOfY[y[index]]!
            var atMost = 0, i = rank
            while i > 0 { atMost += tree[i]; i -= i & -i }
            discordant += seen - atMost
            i = rank
            while i < tree.count { tree[i] += 1; i += i & -i }
        }
        return PairCounts(pairs: n * (n - 1) / 2, tiedFirst: tiedFirst, tiedSecond: tiedSecond, tiedBoth: tiedBoth,
                          discordant: discordant)
    }

    /// Kendall's τ_b between `x` and `y`: `(C − D) / √((P − Tx)(P − Ty))` with `C`, `D` the concordant
    /// and discordant pairs, `P` all pairs and `Tx`, `Ty` the pairs tied in `x` and in `y`
    /// (scipy's `kendalltau` default). NaN when either variable is constant.
    public static func kendallTau(_ x: [Double], _ y: [Double]) -> Double {
        let counts = pairCounts(x, y)
        let denominator = (Double(counts.pairs - counts.tiedFirst) * Double(counts.pairs - counts.tiedSecond)).squareRoot()
        guard denominator > 0 else { return .nan }
        return Double(counts.concordant - counts.discordant) / denominator
    }

    /// Spearman's ρ: Pearson's correlation of the average ranks of `x` and of `y` (ties share the mean
    /// of the ranks they span, as scipy's `spearmanr`). NaN when either variable is constant.
    public static func spearmanRho(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "RankingMetrics: \(x.count) scores but \(y.count) relevance values")
        return pearson(averageRanks(x), averageRanks(y))
    }

    /// The 1-based rank of each value in ascending order, ties given the mean of their ranks:
    /// `[10, 20, 20, 5]` → `[2, 3.5, 3.5, 1]`.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let mean = Double(start + 1 + end) / 2  // mean of the ranks start+1 … end
            for position in start..<end { ranks[order[position]] = mean }
            start = end
        }
        return ranks
    }

    /// Of the pairs whose relevance differs, the share that the scores order the same way (a tied
    /// score counts half): the probability that a random such pair is ranked right.
    /// NaN when every item has the same relevance.
    public static func pairwiseAccuracy(scores: [Double], relevance: [Double]) -> Double {
        let counts = pairCounts(scores, relevance)
        let unequal = counts.pairs - counts.tiedSecond
        guard unequal > 0 else { return .nan }
        let scoreTies = counts.tiedFirst - counts.tiedBoth
        return (Double(counts.concordant) + 0.5 * Double(scoreTies)) / Double(unequal)
    }

    /// NDCG@k: the discounted cumulative gain `Σ_{i=1…k} gain(rel_i) / log2(i + 1)` of the items ranked
    /// by descending score, divided by that of the ideal order (by descending relevance).
    ///
    /// Items of equal score keep their input order. With fewer than `k` items all are counted; when
    /// no item has a positive gain the result is 0 (as scikit-learn's `ndcg_score`).
    public static func ndcg(scores: [Double], relevance: [Double], k: Int, gain: Gain = .exponential) -> Double {
        precondition(scores.count == relevance.count,
                     "RankingMetrics.ndcg: \(scores.count) scores but \(relevance.count) relevance values")
        precondition(k > 0, "RankingMetrics.ndcg: k must be positive, got \(k)")
        precondition(scores.allSatisfy(\.isFinite), "RankingMetrics.ndcg: scores must be finite")
        let ranked = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        let ideal = relevance.sorted(by: >)
        let ideals = dcg(ideal.prefix(k), gain: gain)
        guard ideals > 0 else { return 0 }
        return dcg(ranked.prefix(k).map { relevance[$0] }[...], gain: gain) / ideals
    }

    /// `Σ gain(rel_i) / log2(i + 1)` over the given relevance values, best first (i is 1-based).
    static func dcg(_ relevance: ArraySlice<Double>, gain: Gain) -> Double {
        var total = 0.0
        for (i, r) in relevance.enumerated() { total += gain(r) / Foundation.log2(Double(i + 2)) }
        return total
    }

    /// The number of pairs of equal neighbours in an already sorted sequence: Σ t(t − 1)/2 over runs.
    private static func tiedPairs<T: Equatable>(_ sorted: [T]) -> Int {
        var total = 0, run = 1
        for i in sorted.indices.dropFirst() {
            if sorted[i] == sorted[i - 1] {
                run += 1
            } else {
                total += run * (run - 1) / 2
                run = 1
            }
        }
        return sorted.isEmpty ? 0 : total + run * (run - 1) / 2
    }

    /// Pearson's correlation; NaN when either side has no variance.
    private static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        guard n > 1 else { return .nan }
        let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for (u, v) in zip(a, b) {
            covariance += (u - meanA) * (v - meanB)
            varianceA += (u - meanA) * (u - meanA)
            varianceB += (v - meanB) * (v - meanB)
        }
        guard varianceA > 0 && varianceB > 0 else { return .nan }
        return covariance / (varianceA * varianceB).squareRoot()
    }

    /// An `(x, y)` pair compared as a whole, for counting joint ties.
    private struct PairKey: Equatable {
        let x: Double
        let y: Double
    }
}
