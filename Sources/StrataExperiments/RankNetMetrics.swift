import Foundation

/// The final numbers of a RankNet run, its timings and options (`metrics.json`).
public struct RankNetMetrics: Codable, Equatable, Sendable {
    /// The dataset's name.
    public var dataset: String
    /// The classes from highest rank to lowest.
    public var order: [Int]
    /// The class names in `order`.
    public var orderNames: [String]
    /// Of the sampled test pairs of different classes, the share the scorer orders right.
    public var pairwiseAccuracy = 0.0
    /// The number of sampled test pairs.
    public var testPairs = 0
    /// The RankNet loss (binary cross-entropy of σ(s_a − s_b)) on the test pairs.
    public var testLoss = 0.0
    /// The mean squared error of σ(s_a − s_b) against the target on the test pairs.
    public var testMSE = 0.0
    /// The pairwise accuracy over every pair of test images of different classes (ties in score count half).
    public var allPairsAccuracy = 0.0
    /// Kendall's τ_b between the test scores and the relevance of each image's class.
    public var kendallTau = 0.0
    /// Spearman's ρ (average ranks) between the test scores and the relevance of each image's class.
    public var spearmanRho = 0.0
    /// The τ_b of a perfect scorer whose scores never tie: classes tie among themselves, so it is
    /// √(1 − T/P) (T: pairs of the same class, P: all pairs), about 0.95 for ten equal classes.
    public var kendallTauMax = 0.0
    /// The ρ of a perfect scorer whose scores never tie (below 1 for the same reason).
    public var spearmanRhoMax = 0.0
    /// NDCG@k of the test set ranked by score, exponential gain 2^rel − 1, log2 discount.
    public var ndcg = 0.0
    /// The k of `ndcg`.
    public var ndcgK = 10
    /// The number of test images scored.
    public var testImages = 0
    /// The mean test score of each class, in `order`.
    public var meanScores: [Double] = []
    /// The last epoch's validation loss.
    public var validationLoss: Double?
    /// The last epoch's validation MSE of the predicted probability.
    public var validationMSE: Double?
    /// Seconds spent training (validation included, final test excluded).
    public var trainingSeconds = 0.0
    /// Epochs trained.
    public var epochs = 0
    /// The number of trainable parameters of the scorer.
    public var parameters = 0
    /// The seed of the run.
    public var seed: UInt64 = 0
    /// The number of threads used.
    public var threads = 0
    /// Every option of the run, by name.
    public var options: [String: String] = [:]

    /// Metrics for a run on `dataset` with the given order.
    public init(dataset: String, order: [Int], orderNames: [String]) {
        self.dataset = dataset
        self.order = order
        self.orderNames = orderNames
    }

    /// The results as lines of text, for the log and `summary.txt`.
    public func lines() -> [String] {
        [
            String(format: "pairwise accuracy: %.2f%% on %d test pairs of different classes (loss %.4f, mse %.4f)",
                   pairwiseAccuracy * 100, testPairs, testLoss, testMSE),
            String(format: "pairwise accuracy over all test pairs of different classes: %.2f%%", allPairsAccuracy * 100),
            String(format: "Kendall's tau-b: %.4f (%.4f at best), Spearman's rho: %.4f (%.4f at best), scores against class relevance over %d test images",
                   kendallTau, kendallTauMax, spearmanRho, spearmanRhoMax, testImages),
            String(format: "NDCG@%d: %.4f", ndcgK, ndcg)
                + " (gain 2^rel - 1, relevance \(order.count - 1) for \(orderNames.first ?? "?") down to 0 for \(orderNames.last ?? "?"))",
            "mean score per class: " + zip(orderNames, meanScores).map { "\($0) " + String(format: "%.2f", $1) }
                .joined(separator: ", "),
            String(format: "training: %d epochs in %.1f s, %d parameters, %d threads", epochs, trainingSeconds,
                   parameters, threads),
        ]
    }
}
