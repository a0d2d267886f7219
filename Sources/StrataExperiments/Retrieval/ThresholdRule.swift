import Foundation

/// How the unknown threshold is computed from validation impostor scores (one stranger's best
/// similarity to one enrolled identity) for a gallery of n identities at a target false-alarm rate α.
///
/// Taking identities as independent, a stranger is accepted with probability FAR(t) = 1 − F(t)ⁿ, so
/// every rule looks for the (1 − α)^(1/n) quantile of the one-against-one score distribution F; they
/// differ in how they estimate that quantile. With 15 people enrolled at α = 5% it is the 0.9966
/// quantile: the empirical rule then returns the largest of a few hundred strongly correlated scores
/// (they come from only 20 ordered pairs of validation people), which sits well below the true quantile.
///
/// ```swift
/// let rule = try ThresholdRule(named: "auto")
/// let t = rule.threshold(impostorScores: scores, enrolled: 15, falseAlarmRate: 0.05)
/// ```
public enum ThresholdRule: String, Codable, CaseIterable, Sendable {
    /// The empirical quantile of the validation probes' scores against the validation gallery (the rule
    /// before `normal`; it can never go above the highest score seen).
    case empirical
    /// A normal distribution fitted to the Fisher z (atanh) of the scores of every validation photo (its
    /// gallery photos too) against the other validation people's galleries; the quantile comes from the fit.
    case normal
    /// The empirical quantile when at least `minimumExceedances` of the scores (every validation photo's)
    /// are expected above it, so that it is well inside the data; the normal fit otherwise.
    case auto

    /// The scores expected above the quantile for `auto` to trust the empirical one.
    public static let minimumExceedances = 10.0

    /// The rule used when none is asked for.
    public static let standard = ThresholdRule.auto

    /// The rule of the name `--threshold-rule` takes; throws naming the option and the accepted names.
    public init(named name: String) throws {
        guard let rule = ThresholdRule(rawValue: name) else {
            throw ExperimentError("unknown --threshold-rule '\(name)'; choose one of: "
                + Self.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = rule
    }

    /// Whether the rule's scores include the validation gallery photos as strangers (otherwise only the
    /// validation probes are scored against the other people's galleries).
    public var usesGalleryPhotosAsStrangers: Bool { self != .empirical }

    /// The threshold for `enrolled` identities at `falseAlarmRate` from `impostorScores` (any order);
    /// `-infinity` (accept everyone) when there are no scores.
    public func threshold(impostorScores: [Float], enrolled: Int, falseAlarmRate: Double) -> Float {
        guard !impostorScores.isEmpty else { return -.infinity }
        let share = Self.share(enrolled: enrolled, falseAlarmRate: falseAlarmRate)
        switch self {
        case .empirical:
            let sorted = impostorScores.sorted()
            let position = Int((share * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(position, 0), sorted.count - 1)]
        case .normal:
            let (mean, deviation) = Self.fisherNormalFit(impostorScores)
            return Float(Foundation.tanh(mean + deviation * Self.normalQuantile(share)))
        case .auto:
            let inside = (1 - share) * Double(impostorScores.count) >= Self.minimumExceedances
            return (inside ? Self.empirical : .normal).threshold(impostorScores: impostorScores, enrolled: enrolled,
                                                                falseAlarmRate: falseAlarmRate)
        }
    }

    /// The quantile (1 − α)^(1/n) of one-against-one scores that gives FAR α against n identities.
    static func share(enrolled: Int, falseAlarmRate: Double) -> Double {
        Foundation.pow(1 - falseAlarmRate, 1 / Double(max(enrolled, 1)))
    }

    /// Mean and standard deviation (n − 1; 0 for one score) of atanh of the scores, clamped inside (−1, 1).
    static func fisherNormalFit(_ scores: [Float]) -> (mean: Double, deviation: Double) {
        let limit = 1 - 1e-6
        let z = scores.map { Foundation.atanh(min(max(Double($0), -limit), limit)) }
        let mean = z.reduce(0, +) / Double(z.count)
        guard z.count > 1 else { return (mean, 0) }
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(z.count - 1)
        return (mean, variance.squareRoot())
    }

    /// Φ⁻¹(p), the standard normal quantile, for p in (0, 1): Acklam's rational approximation refined by
    /// one Halley step on erfc (relative error below 1e-12); ±infinity at 1 and 0.
    static func normalQuantile(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low || p > 1 - low {
            let q = (-2 * Foundation.log(p < low ? p : 1 - p)).squareRoot()
            let tail = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            x = p < low ? tail : -tail
        } else {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        // One Halley step: e = Φ(x) − p with Φ(x) = erfc(−x/√2)/2.
        let e = 0.5 * Foundation.erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * Foundation.exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}
