import StrataCore
import StrataExperiments
import XCTest

/// Kendall's τ_b, Spearman's ρ, pairwise accuracy and NDCG on examples worked by hand (and checked
/// against scipy 1.17: `kendalltau`, `spearmanr`), plus τ_b against a brute-force count of all pairs.
final class RankingMetricsTests: XCTestCase {
    func testKendallTauBWithTiesOnBothSides() {
        // x = 1 2 2 3, y = 1 2 1 2. Pairs: (0,1) C, (0,2) tied in y, (0,3) C, (1,2) tied in x,
        // (1,3) tied in y, (2,3) C. C = 3, D = 0, P = 6, Tx = 1, Ty = 2: τ_b = 3 / √(5·4).
        let x: [Double] = [1, 2, 2, 3], y: [Double] = [1, 2, 1, 2]
        let counts = RankingMetrics.pairCounts(x, y)
        XCTAssertEqual(counts, RankingMetrics.PairCounts(pairs: 6, tiedFirst: 1, tiedSecond: 2, tiedBoth: 0, discordant: 0))
        XCTAssertEqual(counts.concordant, 3)
        XCTAssertEqual(RankingMetrics.kendallTau(x, y), 3 / 20.0.squareRoot(), accuracy: 1e-12)  // scipy 0.670820
    }

    func testKendallTauBWithDiscordantPairs() {
        // x = 1…5, y = 1 3 2 2 3: C = 6, D = 2 ((1,2), (1,3) in 0-based), ties in y (1,4), (2,3):
        // τ_b = (6 − 2) / √(10·8) = 0.447214.
        let x: [Double] = [1, 2, 3, 4, 5], y: [Double] = [1, 3, 2, 2, 3]
        XCTAssertEqual(RankingMetrics.pairCounts(x, y).discordant, 2)
        XCTAssertEqual(RankingMetrics.kendallTau(x, y), 4 / 80.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.kendallTau(x, y.map { -$0 }), -4 / 80.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.kendallTau(x, x), 1, accuracy: 1e-12)
        XCTAssertTrue(RankingMetrics.kendallTau(x, [2, 2, 2, 2, 2]).isNaN, "undefined for a constant variable")
    }

    func testKendallCountsMatchABruteForceCountOfEveryPair() {
        var generator = RandomGenerator(seed: 11)
        for n in [0, 1, 2, 7, 150] {
            // Few distinct values on both sides, so ties of every kind are common.
            let x = (0..<n).map { _ in Double(generator.nextInt(below: 6)) }
            let y = (0..<n).map { _ in Double(generator.nextInt(below: 4)) }
            var expected = RankingMetrics.PairCounts(pairs: 0, tiedFirst: 0, tiedSecond: 0, tiedBoth: 0, discordant: 0)
            var concordant = 0
            for i in 0..<n {
                for j in (i + 1)..<max(n, i + 1) {
                    expected.pairs += 1
                    let dx = x[i] - x[j], dy = y[i] - y[j]
                    if dx == 0 { expected.tiedFirst += 1 }
                    if dy == 0 { expected.tiedSecond += 1 }
                    if dx == 0 && dy == 0 { expected.tiedBoth += 1 }
                    if dx * dy < 0 { expected.discordant += 1 }
                    if dx * dy > 0 { concordant += 1 }
                }
            }
            let counts = RankingMetrics.pairCounts(x, y)
            XCTAssertEqual(counts, expected, "n = \(n)")
            XCTAssertEqual(counts.concordant, concordant, "n = \(n)")
        }
    }

    func testSpearmanUsesAverageRanks() {
        XCTAssertEqual(RankingMetrics.averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1])
        XCTAssertEqual(RankingMetrics.averageRanks([3, 3, 3]), [2, 2, 2])
        // y = 1 3 2 2 3 has ranks 1 4.5 2.5 2.5 4.5; against ranks 1…5: cov 5, var 10 and 9: ρ = 5 / √90.
        XCTAssertEqual(RankingMetrics.spearmanRho([1, 2, 3, 4, 5], [1, 3, 2, 2, 3]), 5 / 90.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.spearmanRho([1, 2, 3], [30, 20, 10]), -1, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.spearmanRho([1, 2, 3], [1, 4, 9]), 1, accuracy: 1e-12, "only ranks matter")
        XCTAssertTrue(RankingMetrics.spearmanRho([1, 2, 3], [7, 7, 7]).isNaN)
    }

    func testPairwiseAccuracyCountsTiedScoresAsHalf() {
        // Scores 1 2 2 3 against relevance 1 2 1 2: the 4 pairs of different relevance are (0,1) right,
        // (0,3) right, (1,2) tied in score (½), (2,3) right: 3.5 / 4.
        XCTAssertEqual(RankingMetrics.pairwiseAccuracy(scores: [1, 2, 2, 3], relevance: [1, 2, 1, 2]), 0.875, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.pairwiseAccuracy(scores: [3, 2, 1], relevance: [1, 2, 3]), 0)
        XCTAssertEqual(RankingMetrics.pairwiseAccuracy(scores: [0.1, 0.5, 0.2, 0.9], relevance: [0, 1, 0, 1]), 1)
        XCTAssertTrue(RankingMetrics.pairwiseAccuracy(scores: [1, 2], relevance: [4, 4]).isNaN)
    }

    func testNDCGAtKWithExponentialAndLinearGains() {
        // Ranked by score the relevance is 1 3 0 (2 is fourth); ideal 3 2 1.
        // Exponential gains: DCG = 1/log2 2 + 7/log2 3 + 0 = 5.41650, IDCG = 7 + 3/log2 3 + 1/2 = 9.39279.
        // Linear gains: DCG = 1 + 3/log2 3 = 2.89279, IDCG = 3 + 2/log2 3 + 1/2 = 4.76186.
        let scores: [Double] = [0.9, 0.8, 0.7, 0.6], relevance: [Double] = [1, 3, 0, 2]
        let log3 = log2(3.0)
        XCTAssertEqual(RankingMetrics.ndcg(scores: scores, relevance: relevance, k: 3),
                       (1 + 7 / log3) / (7 + 3 / log3 + 0.5), accuracy: 1e-12)  // 0.576667
        XCTAssertEqual(RankingMetrics.ndcg(scores: scores, relevance: relevance, k: 3, gain: .linear),
                       (1 + 3 / log3) / (3 + 2 / log3 + 0.5), accuracy: 1e-12)  // 0.607492
        XCTAssertEqual(RankingMetrics.ndcg(scores: [0.7, 0.9, 0.6, 0.8], relevance: relevance, k: 3), 1, accuracy: 1e-12,
                       "the ideal order")
        XCTAssertEqual(RankingMetrics.ndcg(scores: scores, relevance: relevance, k: 1), 1.0 / 7.0, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.ndcg(scores: scores, relevance: relevance, k: 100),
                       RankingMetrics.ndcg(scores: scores, relevance: relevance, k: 4), "k beyond the list counts all")
        XCTAssertEqual(RankingMetrics.ndcg(scores: [1, 1, 0], relevance: [0, 2, 1], k: 1), 0,
                       "equal scores keep their input order")
        XCTAssertEqual(RankingMetrics.ndcg(scores: [1, 2], relevance: [0, 0], k: 2), 0, "no gain at all")
    }

    func testTenTiedClassesCapTauBelowOne() {
        // 10 classes of 100 items, perfect untied scores: τ_b = √(1 − T/P) with T = 10·C(100, 2), P = C(1000, 2).
        let relevance = (0..<1000).map { Double($0 / 100) }
        let scores = relevance.enumerated().map { $1 + Double($0) / 2000 }
        let tied = 10.0 * 4950, pairs = 499_500.0
        XCTAssertEqual(RankingMetrics.kendallTau(scores, relevance), (1 - tied / pairs).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.pairwiseAccuracy(scores: scores, relevance: relevance), 1)
        XCTAssertEqual(RankingMetrics.ndcg(scores: scores, relevance: relevance, k: 10), 1, accuracy: 1e-12)
    }
}
