import Foundation

/// A strip (jittered dot) plot: for each category, every value drawn as a dot, spread sideways
/// by a small seeded random jitter so that dense groups stay readable; the median is marked.
///
///     var chart = StripChart(title: "RankNet score by digit", xLabel: "digit", yLabel: "score")
///     chart.add(category: "0", values: scoresOfZeros)
///     try chart.add(values: scores, groups: labels)   // or group by label in one call
///     try chart.save(to: "scores.png")
public struct StripChart: Chart {
    /// One category and its values.
    public struct Category: Sendable, Equatable {
        /// The label under the strip.
        public var name: String
        /// The values; non-finite ones are skipped.
        public var values: [Double]
        /// The dots' colour, or nil for the palette colour of this category.
        public var color: Color?
    }

    /// The title above the plot, or nil.
    public var title: String?
    /// The horizontal axis title, or nil.
    public var xLabel: String?
    /// The vertical axis title, or nil.
    public var yLabel: String?
    /// Linear or log scale for the value axis.
    public var yScale: Axis.Scale
    /// Fixed value limits, or nil to fit the data with a 5% margin.
    public var yRange: ClosedRange<Double>?
    /// Half-width of the sideways spread, as a fraction of the space per category (0…0.5).
    public var jitter = 0.25
    /// Seed of the jitter, so the same data gives the same picture.
    public var seed: UInt64 = 42
    /// Dot radius in pixels.
    public var pointRadius = 2.5
    /// Dot opacity (0…1); overlapping dots look darker.
    public var opacity = 0.5
    /// Whether each strip's median is marked with a short black bar.
    public var showsMedians = true
    /// Colours of the categories, in order.
    public var palette: Palette = .tab10
    /// Output width in pixels.
    public var width: Int
    /// Output height in pixels.
    public var height: Int
    /// The categories added so far, left to right.
    public private(set) var categories: [Category] = []

    /// An empty chart; add strips with `add(category:values:)`.
    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                yScale: Axis.Scale = .linear, width: Int = 800, height: Int = 500) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yScale = yScale
        self.width = width
        self.height = height
    }

    /// The output size in pixels.
    public var canvasSize: (width: Int, height: Int) { (width, height) }

    /// Adds a strip at the right end.
    public mutating func add(category name: String, values: [Double], color: Color? = nil) {
        categories.append(Category(name: name, values: values, color: color))
    }

    /// Adds a strip of `Float` (or other floating-point) values at the right end.
    public mutating func add<T: BinaryFloatingPoint>(category name: String, values: [T], color: Color? = nil) {
        add(category: name, values: values.map(Double.init), color: color)
    }

    /// Adds one strip per distinct group (in ascending order), holding the values whose
    /// `groups` entry is that group — e.g. scores grouped by digit label.
    public mutating func add<Group: Comparable & Hashable & CustomStringConvertible>(values: [Double], groups: [Group]) throws {
        guard values.count == groups.count else {
            throw PlotError.mismatchedLengths(field: PlotError.chartName("StripChart", title),
                                              detail: "\(values.count) values but \(groups.count) groups")
        }
        let keys = Array(Set(groups)).sorted()
        let index = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        var buckets = Array(repeating: [Double](), count: keys.count)
        for (v, g) in zip(values, groups) { buckets[index[g]!].append(v) }
        for (key, bucket) in zip(keys, buckets) { add(category: key.description, values: bucket) }
    }

    /// Adds one strip per distinct group of `Float` (or other floating-point) values; see
    /// `add(values:groups:)`.
    public mutating func add<T: BinaryFloatingPoint, Group: Comparable & Hashable & CustomStringConvertible>(
        values: [T], groups: [Group]
    ) throws {
        try add(values: values.map(Double.init), groups: groups)
    }

    /// Draws axes, dots and medians; throws when there is no value to draw or (log scale) a
    /// value is ≤ 0.
    public func draw(on canvas: Canvas) throws {
        let name = PlotError.chartName("StripChart", title)
        guard !categories.isEmpty else {
            throw PlotError.emptyChart(chart: name, hint: "add strips with add(category:values:) before saving")
        }
        if yScale == .log {
            for c in categories {
                if let i = c.values.firstIndex(where: { $0 <= 0 }) {
                    throw PlotError.invalidValue(field: "\(name) category '\(c.name)'",
                                                 detail: "value[\(i)] = \(c.values[i]) cannot be shown on a log axis")
                }
            }
        }
        guard var yAxis = Axis.fitting(categories.flatMap(\.values), scale: yScale) else {
            throw PlotError.emptyData(field: "\(name) values (no finite value in any category)")
        }
        if let yRange {
            guard yRange.upperBound > yRange.lowerBound, yScale == .linear || yRange.lowerBound > 0 else {
                throw PlotError.invalidValue(field: "\(name) yRange", detail: "\(yRange) cannot be used as limits")
            }
            yAxis = Axis(lower: yRange.lowerBound, upper: yRange.upperBound, scale: yScale)
        }
        var axes = Axes(title: title, xLabel: xLabel, yLabel: yLabel,
                        x: Axis(categories: categories.map(\.name)), y: yAxis)
        axes.layout(on: canvas)
        axes.drawGrid(on: canvas)

        var random = SplitMix64(seed: seed)
        let spread = min(0.5, max(0, jitter))
        var drawn = 0
        canvas.clipped(to: axes.plot) {
            for (i, category) in categories.enumerated() {
                let color = category.color ?? palette[i]
                let finite = category.values.filter(\.isFinite)
                for v in finite {
                    let offset = (random.nextUnit() * 2 - 1) * spread
                    canvas.fillCircle(center: axes.point(Double(i) + offset, v), radius: pointRadius,
                                      color: color, alpha: opacity)
                }
                drawn += finite.count
                if showsMedians, let median = Self.median(finite) {
                    let y = axes.py(median)
                    canvas.line(from: Canvas.Point(x: axes.px(Double(i) - spread - 0.05), y: y),
                                to: Canvas.Point(x: axes.px(Double(i) + spread + 0.05), y: y),
                                color: .text, width: 2)
                }
            }
        }
        axes.drawFrame(on: canvas)
        canvas.layout.series = categories.map(\.name)
        canvas.layout.points = drawn
    }

    /// The middle value (mean of the two middle ones for an even count), or nil when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// A tiny seeded generator (SplitMix64) for the jitter; StrataPlot does not depend on StrataCore.
private struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The next value, uniform in [0, 1).
    mutating func nextUnit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
