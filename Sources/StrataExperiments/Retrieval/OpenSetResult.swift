import Foundation

/// The numbers of one repetition of the open-set protocol (`strata retrieve evaluate`).
public struct OpenSetResult: Codable, Equatable, Sendable {
    /// The repetition's seed (roles, weights, batches).
    public var seed: UInt64 = 0
    /// Seconds spent training the network.
    public var trainingSeconds = 0.0
    /// The threshold chosen on the validation identities.
    public var threshold: Float = 0
    /// Rank-1 accuracy of the validation probes.
    public var validationRank1 = 0.0
    /// Rank-1 identification accuracy of the known probes (threshold ignored).
    public var rank1 = 0.0
    /// Detection-and-identification rate at 1% false-alarm rate (threshold set on the strangers themselves).
    public var dirAt1FAR = 0.0
    /// Detection-and-identification rate at 10% false-alarm rate.
    public var dirAt10FAR = 0.0
    /// Known probes identified correctly and accepted, at the chosen threshold.
    public var dirAtThreshold = 0.0
    /// Strangers accepted at the chosen threshold.
    public var farAtThreshold = 0.0
    /// Known probes rejected (similarity at or below the threshold) at the chosen threshold.
    public var frrAtThreshold = 0.0
    /// Strangers accepted at the original method's 0.8.
    public var farAt08 = 0.0
    /// Known probes rejected at 0.8.
    public var frrAt08 = 0.0
    /// AUROC of known against unknown probes by best similarity.
    public var auroc = 0.0
    /// The original method (cosine to cluster centres): the share of known probes whose nearest centre's
    /// cluster is mostly their own identity.
    public var centroidRank1 = 0.0
    /// The original method at 0.8: strangers accepted.
    public var centroidFARAt08 = 0.0
    /// The original method at 0.8: known probes rejected.
    public var centroidFRRAt08 = 0.0
    /// The mean cosine of a known probe to its nearest centre (centres are means of unit vectors, shorter than 1).
    public var centroidMeanSimilarity = 0.0
    /// The mean length of the cluster centres.
    public var centroidMeanLength = 0.0
    /// Known and stranger probes.
    public var knownProbes = 0, unknownProbes = 0
    /// Enrolled images.
    public var galleryImages = 0
    /// The threshold of every rule and score set, with the strangers' FAR and known probes' FRR at it, from the
    /// same network (the chosen rule's is also `threshold`).
    public var thresholdComparison: [ThresholdOutcome] = []

    /// The result with default values.
    public init() {}

    /// The fields reported as mean ± standard deviation, with their labels.
    static let reported: [(label: String, key: KeyPath<OpenSetResult, Double>)] = [
        ("rank-1 (known probes)", \.rank1),
        ("DIR @ 1% FAR", \.dirAt1FAR),
        ("DIR @ 10% FAR", \.dirAt10FAR),
        ("DIR @ chosen threshold", \.dirAtThreshold),
        ("FAR @ chosen threshold", \.farAtThreshold),
        ("FRR @ chosen threshold", \.frrAtThreshold),
        ("FAR @ 0.8", \.farAt08),
        ("FRR @ 0.8", \.frrAt08),
        ("AUROC known vs unknown", \.auroc),
        ("chosen threshold", \.thresholdValue),
        ("validation rank-1", \.validationRank1),
        ("centroid method: rank-1", \.centroidRank1),
        ("centroid method: FAR @ 0.8", \.centroidFARAt08),
        ("centroid method: FRR @ 0.8", \.centroidFRRAt08),
        ("centroid method: mean best similarity", \.centroidMeanSimilarity),
        ("centroid length (mean)", \.centroidMeanLength),
        ("training seconds", \.trainingSeconds),
    ]

    /// The threshold as a Double, for the table.
    var thresholdValue: Double { Double(threshold) }
}

/// One way of choosing the threshold and the rates it gave on the test probes.
public struct ThresholdOutcome: Codable, Equatable, Sendable {
    /// The rule and the validation scores it used, e.g. `normal (all photos)`.
    public var name: String
    /// The threshold.
    public var threshold: Float
    /// Strangers accepted at it.
    public var falseAlarmRate: Double
    /// Known probes rejected at it.
    public var falseRejectionRate: Double

    /// An outcome with every field given.
    public init(name: String, threshold: Float, falseAlarmRate: Double, falseRejectionRate: Double) {
        self.name = name
        self.threshold = threshold
        self.falseAlarmRate = falseAlarmRate
        self.falseRejectionRate = falseRejectionRate
    }
}

/// Mean and standard deviation (n − 1 in the denominator) of `values`; the deviation is 0 for one value.
func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double) {
    guard !values.isEmpty else { return (.nan, .nan) }
    let mean = values.reduce(0, +) / Double(values.count)
    guard values.count > 1 else { return (mean, 0) }
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
    return (mean, variance.squareRoot())
}
