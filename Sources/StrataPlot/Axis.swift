import Foundation

/// One axis of a chart: the data range it shows, its scale, and where its ticks go.
///
/// A numeric axis maps `lower…upper` onto the plot; a categorical axis puts category `i` at `i`
/// (the range is `-0.5…n-0.5`, reversed for heatmap rows so that row 0 is at the top).
///
///     let y = Axis.fitting([0.1, 2.3], scale: .log)   // a log axis with 5% margins
///     y.ticks(maxCount: 6).labels
public struct Axis: Sendable, Equatable {
    /// How data values map onto the axis.
    public enum Scale: Sendable, Equatable {
        /// Equal distances for equal differences.
        case linear
        /// Equal distances for equal ratios (base 10); every value must be > 0.
        case log
    }

    /// The value at the start of the axis (left or bottom).
    public var lower: Double
    /// The value at the end of the axis (right or top).
    public var upper: Double
    /// Linear or log.
    public var scale: Scale
    /// The category names of a categorical axis, or nil for a numeric one.
    public var categories: [String]?
    /// Whether ticks must fall on whole numbers (epochs, counts).
    public var integerTicks: Bool

    /// A numeric axis from `lower` to `upper`.
    public init(lower: Double, upper: Double, scale: Scale = .linear, integerTicks: Bool = false) {
        self.lower = lower
        self.upper = upper
        self.scale = scale
        self.categories = nil
        self.integerTicks = integerTicks
    }

    /// A categorical axis with one slot per name; `reversed` puts the first category at the far end.
    public init(categories: [String], reversed: Bool = false) {
        let end = Double(categories.count) - 0.5
        self.lower = reversed ? end : -0.5
        self.upper = reversed ? -0.5 : end
        self.scale = .linear
        self.categories = categories
        self.integerTicks = true
    }

    /// A numeric axis that fits the finite values (positive ones on a log axis) with a margin on each
    /// side, as a fraction of the span; nil when there is no such value.
    public static func fitting(_ values: [Double], scale: Scale = .linear, margin: Double = 0.05,
                               includeZero: Bool = false) -> Axis? {
        let usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard var low = usable.min(), var high = usable.max() else { return nil }
        if scale == .log {
            var (a, b) = (log10(low), log10(high))
            if a == b { (a, b) = (a - 0.5, b + 0.5) }
            let pad = (b - a) * margin
            return Axis(lower: pow(10, a - pad), upper: pow(10, b + pad), scale: .log)
        }
        if includeZero { (low, high) = (min(low, 0), max(high, 0)) }
        let whole = usable.allSatisfy { $0 == $0.rounded() }
        if low == high {
            let delta = whole ? 1 : (low == 0 ? 1 : abs(low) * 0.1)
            (low, high) = (low - delta, high + delta)
        }
        let integers = whole && high - low >= 2
        let pad = (high - low) * margin
        let lowerPad = includeZero && low == 0 ? 0 : pad
        let upperPad = includeZero && high == 0 ? 0 : pad
        return Axis(lower: low - lowerPad, upper: high + upperPad, scale: .linear, integerTicks: integers)
    }

    /// Whether this axis has named categories instead of numbers.
    public var isCategorical: Bool { categories != nil }

    /// Where `value` falls along the axis: 0 at `lower`, 1 at `upper` (outside for values beyond).
    public func fraction(of value: Double) -> Double {
        switch scale {
        case .linear:
            return upper == lower ? 0.5 : (value - lower) / (upper - lower)
        case .log:
            let (a, b) = (log10(lower), log10(upper))
            return b == a ? 0.5 : (log10(value) - a) / (b - a)
        }
    }

    /// The ticks to draw: every category, or at most `maxCount` nice numbers inside the range.
    public func ticks(maxCount: Int) -> NiceTicks {
        if let categories {
            return NiceTicks(values: categories.indices.map(Double.init), labels: categories)
        }
        let (a, b) = (min(lower, upper), max(lower, upper))
        switch scale {
        case .linear: return NiceTicks.linear(from: a, to: b, maxCount: maxCount, integersOnly: integerTicks)
        case .log: return NiceTicks.log(from: a, to: b, maxCount: maxCount)
        }
    }
}
