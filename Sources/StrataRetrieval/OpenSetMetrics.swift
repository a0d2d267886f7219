/// Open-set identification measures from per-probe results: known probes (enrolled people) with
/// whether their top-1 label is correct and its similarity; unknown probes (strangers) with their
/// best similarity.
///
/// A probe is accepted when its similarity is strictly above the threshold; at or below it the
/// answer is "unknown" (as `OpenSetMatcher` answers). So ties with the threshold are rejections:
/// a stranger whose score equals it is not a false alarm, a known probe whose score equals it is a
/// false rejection. Rates over an empty set of probes are NaN.
///
/// ```swift
/// let metrics = OpenSetMetrics(known: zip(knownMatches, trueLabels).map { ($0, $1) }, unknown: strangerMatches)
/// let point = metrics.operatingPoint(atFalseAlarmRate: 0.01)   // DIR @ FAR ≤ 1%
/// print(metrics.rankOneAccuracy, point.detectionAndIdentificationRate, metrics.auroc)
/// ```
public struct OpenSetMetrics: Sendable, Equatable {
    /// One known probe's result.
    public struct KnownProbe: Sendable, Equatable {
        /// Whether the top-1 label is the probe's person.
        public var isCorrect: Bool
        /// The top-1 similarity.
        public var similarity: Float

        /// A known probe's result.
        public init(isCorrect: Bool, similarity: Float) {
            self.isCorrect = isCorrect
            self.similarity = similarity
        }
    }

    /// The known probes' results.
    public let known: [KnownProbe]
    /// The unknown probes' best similarities.
    public let unknownSimilarities: [Float]
    /// Known similarities, ascending.
    private let sortedKnown: [Float]
    /// Similarities of the correctly identified known probes, ascending.
    private let sortedCorrect: [Float]
    /// Unknown similarities, ascending.
    private let sortedUnknown: [Float]

    /// Measures from known probes' results and unknown probes' best similarities.
    public init(known: [KnownProbe], unknownSimilarities: [Float]) {
        self.known = known
        self.unknownSimilarities = unknownSimilarities
        sortedKnown = known.map(\.similarity).sorted()
        sortedCorrect = known.filter(\.isCorrect).map(\.similarity).sorted()
        sortedUnknown = unknownSimilarities.sorted()
    }

    /// Measures from matches: each known probe's match with its true label, and the strangers' matches.
    public init(known: [(match: Match, trueLabel: String)], unknown: [Match]) {
        self.init(known: known.map { KnownProbe(isCorrect: $0.match.bestLabel == $0.trueLabel, similarity: $0.match.similarity) },
                  unknownSimilarities: unknown.map(\.similarity))
    }

    /// Rank-1 identification accuracy: the fraction of known probes whose top-1 label is correct.
    public var rankOneAccuracy: Double {
        Double(known.filter(\.isCorrect).count) / Double(known.count)
    }

    /// FAR at `threshold`: the fraction of strangers whose best similarity is above it.
    public func falseAlarmRate(threshold: Float) -> Double {
        Double(Self.countAbove(threshold, sortedUnknown)) / Double(sortedUnknown.count)
    }

    /// FRR at `threshold`: the fraction of known probes whose similarity is at or below it.
    public func falseRejectionRate(threshold: Float) -> Double {
        Double(sortedKnown.count - Self.countAbove(threshold, sortedKnown)) / Double(sortedKnown.count)
    }

    /// DIR at `threshold`: the fraction of known probes with a correct top-1 and similarity above it.
    public func detectionAndIdentificationRate(threshold: Float) -> Double {
        Double(Self.countAbove(threshold, sortedCorrect)) / Double(known.count)
    }

    /// The rates at `threshold`.
    public func operatingPoint(threshold: Float) -> OpenSetOperatingPoint {
        OpenSetOperatingPoint(threshold: threshold, falseAlarmRate: falseAlarmRate(threshold: threshold),
                              detectionAndIdentificationRate: detectionAndIdentificationRate(threshold: threshold),
                              falseRejectionRate: falseRejectionRate(threshold: threshold))
    }

    /// The lowest threshold whose FAR is at most `target` (so the highest DIR at that FAR): with the
    /// strangers' scores in descending order `u₀ ≥ u₁ ≥ …` and `m = ⌊target · count⌋` false alarms
    /// allowed, it is `u_m` (strangers tied with it are rejected, so the FAR may come out below
    /// `target` when scores tie); `-infinity` (accept everyone) when `m` reaches the stranger count.
    public func threshold(atFalseAlarmRate target: Double) -> Float {
        let allowed = Int((target * Double(sortedUnknown.count) + 1e-9).rounded(.down))
        guard allowed >= 0 else { return .infinity }
        guard allowed < sortedUnknown.count else { return -.infinity }
        return sortedUnknown[sortedUnknown.count - 1 - allowed]
    }

    /// DIR, FAR and FRR at the threshold chosen by `threshold(atFalseAlarmRate:)`: DIR @ FAR.
    public func operatingPoint(atFalseAlarmRate target: Double) -> OpenSetOperatingPoint {
        operatingPoint(threshold: threshold(atFalseAlarmRate: target))
    }

    /// The area under the ROC curve of known against unknown probes by similarity: the probability that
    /// a random known probe scores above a random stranger, ties counting ½ (Mann–Whitney U).
    public var auroc: Double {
        let n = sortedKnown.count, m = sortedUnknown.count
        var wins: Double = 0, below = 0, tiedEnd = 0
        for score in sortedKnown {
            while below < m && sortedUnknown[below] < score { below += 1 }
            tiedEnd = max(tiedEnd, below)
            while tiedEnd < m && sortedUnknown[tiedEnd] == score { tiedEnd += 1 }
            wins += Double(below) + 0.5 * Double(tiedEnd - below)
        }
        return wins / (Double(n) * Double(m))
    }

    /// The rates at every distinct similarity of any probe, and at `-infinity` (everyone accepted),
    /// by ascending threshold: the DET curve (FAR against `missRate`) and DIR/FAR against threshold.
    public func curve() -> [OpenSetOperatingPoint] {
        var thresholds = Array(Set(sortedKnown + sortedUnknown)).sorted()
        thresholds.insert(-.infinity, at: 0)
        return thresholds.map(operatingPoint(threshold:))
    }

    /// The point of the curve where FAR and FRR are closest (ties: the lowest threshold); the
    /// equal error rate is about the mean of the two there.
    public func equalErrorPoint() -> OpenSetOperatingPoint {
        curve().min { abs($0.falseAlarmRate - $0.falseRejectionRate) < abs($1.falseAlarmRate - $1.falseRejectionRate) }!
    }

    /// The number of values in ascending `sorted` strictly above `threshold`.
    static func countAbove(_ threshold: Float, _ sorted: [Float]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= threshold { low = middle + 1 } else { high = middle }
        }
        return sorted.count - low
    }
}
