/// The open-set rates at one threshold (a probe is accepted when its similarity is above it).
public struct OpenSetOperatingPoint: Sendable, Equatable {
    /// The threshold: accepted means similarity `> threshold`.
    public var threshold: Float
    /// FAR: the fraction of unknown probes (strangers) accepted.
    public var falseAlarmRate: Double
    /// DIR: the fraction of known probes accepted with the correct top-1 label.
    public var detectionAndIdentificationRate: Double
    /// FRR: the fraction of known probes rejected (similarity at or below the threshold).
    public var falseRejectionRate: Double

    /// The miss rate `1 − DIR` of the DET curve.
    public var missRate: Double { 1 - detectionAndIdentificationRate }

    /// A point with every rate given.
    public init(threshold: Float, falseAlarmRate: Double, detectionAndIdentificationRate: Double,
                falseRejectionRate: Double) {
        self.threshold = threshold
        self.falseAlarmRate = falseAlarmRate
        self.detectionAndIdentificationRate = detectionAndIdentificationRate
        self.falseRejectionRate = falseRejectionRate
    }
}
