import Foundation

/// Tick positions at readable numbers, with their labels.
///
/// Linear ticks step by 1, 2, 2.5 or 5 × 10^k: the smallest such step that puts at most `maxCount`
/// ticks inside the range. Log ticks sit on powers of ten (with 2 and 5 added when the range spans
/// less than a decade).
///
///     NiceTicks.linear(from: 0, to: 1, maxCount: 6).labels   // ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
///     NiceTicks.log(from: 0.003, to: 2).labels               // ["0.01", "0.1", "1"]
public struct NiceTicks: Sendable, Equatable {
    /// Tick positions in data units, ascending.
    public var values: [Double]
    /// One label per tick, with the same number of decimals throughout.
    public var labels: [String]
    /// Unlabelled minor tick positions (log axes: 2…9 × 10^k), ascending.
    public var minor: [Double]

    /// Ticks with the given values, labels and minor positions.
    public init(values: [Double], labels: [String], minor: [Double] = []) {
        self.values = values
        self.labels = labels
        self.minor = minor
    }

    /// The mantissas a linear step may have, in the order they are tried.
    public static let mantissas: [Double] = [1, 2, 2.5, 5]

    /// The nice step `mantissa × 10^exponent` for `lower…upper` giving at most `maxCount` ticks.
    public static func step(from lower: Double, to upper: Double, maxCount: Int,
                            integersOnly: Bool = false) -> (mantissa: Double, exponent: Int) {
        let maxCount = max(2, maxCount)
        let span = upper - lower
        guard span > 0, span.isFinite else { return (1, 0) }
        var exponent = Int(Foundation.floor(log10(span / Double(maxCount)))) - 1
        while true {
            for mantissa in mantissas {
                if integersOnly && (exponent < 0 || (exponent == 0 && mantissa == 2.5)) { continue }
                let (first, last) = range(lower, upper, mantissa, exponent)
                if last - first + 1 <= maxCount { return (mantissa, exponent) }
            }
            exponent += 1
        }
    }

    /// Linear ticks inside `lower…upper`, at most `maxCount` of them (at least 2 are asked for).
    public static func linear(from lower: Double, to upper: Double, maxCount: Int = 7,
                              integersOnly: Bool = false) -> NiceTicks {
        guard lower.isFinite, upper.isFinite else { return NiceTicks(values: [], labels: []) }
        guard upper > lower else {
            return NiceTicks(values: [lower], labels: [format(lower, decimals: decimals(for: lower))])
        }
        let (mantissa, exponent) = step(from: lower, to: upper, maxCount: maxCount, integersOnly: integersOnly)
        let (first, last) = range(lower, upper, mantissa, exponent)
        let values = first > last ? [] : (first...last).map { value($0, mantissa, exponent) }
        let decimals = mantissa == 2.5 ? max(0, 1 - exponent) : max(0, -exponent)
        let largest = values.map(abs).max() ?? 0
        let labels: [String]
        if largest >= 1e6 || decimals > 5 {
            labels = values.map { scientific($0) }
        } else {
            labels = values.map { format($0, decimals: decimals, grouping: largest >= 1000) }
        }
        return NiceTicks(values: values, labels: labels)
    }

    /// Log-scale ticks inside `lower…upper` (both > 0): powers of ten, thinned to at most `maxCount`.
    public static func log(from lower: Double, to upper: Double, maxCount: Int = 8) -> NiceTicks {
        guard lower > 0, upper > lower, upper.isFinite else { return linear(from: lower, to: upper) }
        let eps = 1e-9
        let firstDecade = Int(Foundation.ceil(log10(lower) - eps))
        let lastDecade = Int(Foundation.floor(log10(upper) + eps))
        let decadeCount = lastDecade - firstDecade + 1
        let stride = max(1, Int(Foundation.ceil(Double(decadeCount) / Double(max(2, maxCount)))))
        let inside = { (v: Double) in v >= lower * (1 - eps) && v <= upper * (1 + eps) }
        func multiples(_ ms: [Double]) -> [Double] {
            (firstDecade - 1...lastDecade + 1).flatMap { d in ms.map { power($0, d) } }.filter(inside)
        }
        var values = decadeCount > 0
            ? Swift.stride(from: firstDecade, through: lastDecade, by: stride).map { power(1, $0) } : []
        if values.count < 2 { values = multiples([1, 2, 5]) }
        if values.count < 2 { values = multiples([1, 2, 3, 4, 5, 6, 7, 8, 9]) }
        let minor = stride == 1 ? multiples([2, 3, 4, 5, 6, 7, 8, 9]).filter { !values.contains($0) } : []
        return NiceTicks(values: values, labels: values.map(logLabel), minor: minor)
    }

    /// `mantissa × 10^decade`, computed so that decimal values such as 0.02 come out exact.
    private static func power(_ mantissa: Double, _ decade: Int) -> Double {
        decade >= 0 ? mantissa * pow(10, Double(decade)) : mantissa / pow(10, Double(-decade))
    }

    /// The first and last multiples of the step that fall inside `lower…upper`.
    private static func range(_ lower: Double, _ upper: Double, _ mantissa: Double,
                              _ exponent: Int) -> (Int, Int) {
        let step = power(mantissa, exponent)
        let eps = 1e-9
        let first = Foundation.ceil(lower / step - eps)
        let last = Foundation.floor(upper / step + eps)
        guard first.magnitude < 1e15, last.magnitude < 1e15 else { return (0, Int.max / 2) }
        return (Int(first), Int(last))
    }

    /// The `k`-th multiple of the step, exact for decimal steps.
    private static func value(_ k: Int, _ mantissa: Double, _ exponent: Int) -> Double {
        let v = power(Double(k) * mantissa, exponent)
        return v == 0 ? 0 : v   // no "-0"
    }

    /// Enough decimals to show a single value (used when the range is a single point).
    private static func decimals(for value: Double) -> Int {
        guard value != 0, value.isFinite else { return 0 }
        return min(6, max(0, 2 - Int(Foundation.floor(log10(abs(value))))))
    }

    /// A tick label on a log axis: plain decimals between 1e-4 and 1e5, else "2e-5" / "1e6".
    static func logLabel(_ value: Double) -> String {
        guard value >= 1e-4, value < 1e5 else { return scientific(value) }
        let decimals = max(0, -Int(Foundation.floor(log10(value) + 1e-9)))
        return format(value, decimals: decimals)
    }

    /// A value with a fixed number of decimals; `grouping` puts commas between thousands.
    static func format(_ value: Double, decimals: Int, grouping: Bool = false) -> String {
        let text = String(format: "%.\(decimals)f", value == 0 ? 0 : value)
        guard grouping else { return text }
        let negative = text.hasPrefix("-")
        let body = negative ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var integer = Array(parts[0])
        var index = integer.count - 3
        while index > 0 {
            integer.insert(",", at: index)
            index -= 3
        }
        let grouped = String(integer) + (parts.count > 1 ? "." + parts[1] : "")
        return negative ? "-" + grouped : grouped
    }

    /// Labels for values written on bars or cells: printf `format` if given, else whole numbers
    /// with thousands separators, else a few decimals chosen from the largest magnitude.
    static func valueLabels(_ values: [Double], format: String?) -> [String] {
        if let format { return values.map { String(format: format, $0) } }
        let finite = values.filter(\.isFinite)
        if finite.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e15 }) {
            return values.map { $0.isFinite ? self.format($0, decimals: 0, grouping: abs($0) >= 1000) : "" }
        }
        let largest = finite.map(abs).max() ?? 0
        let decimals = largest >= 100 ? 0 : largest >= 10 ? 1 : largest >= 1 ? 2 : 3
        return values.map { $0.isFinite ? self.format($0, decimals: decimals) : "" }
    }

    /// A compact scientific label: "1e6", "2.5e-7".
    static func scientific(_ value: Double) -> String {
        String(format: "%g", value == 0 ? 0 : value)
            .replacingOccurrences(of: "e+0", with: "e")
            .replacingOccurrences(of: "e+", with: "e")
            .replacingOccurrences(of: "e-0", with: "e-")
    }
}
