import Foundation

/// A vertical bar chart: one bar per category, with the value written above each bar. Long
/// category names ("T-shirt/top") are wrapped or rotated to fit.
///
///     var chart = BarChart(title: "Training images per class", yLabel: "images")
///     chart.add(bar: "T-shirt/top", value: 6000)
///     chart.add(bar: "Trouser", value: 6000)
///     try chart.save(to: "counts.png")
///
/// or in one go: `BarChart(categories: names, values: counts)`.
public struct BarChart: Chart {
    /// One bar.
    public struct Bar: Sendable, Equatable {
        /// The category label under the bar.
        public var label: String
        /// The bar's height in data units (negative bars hang below zero).
        public var value: Double
        /// The bar's colour, or nil for the chart's colour.
        public var color: Color?
    }

    /// The title above the plot, or nil.
    public var title: String?
    /// The horizontal axis title, or nil.
    public var xLabel: String?
    /// The vertical axis title, or nil.
    public var yLabel: String?
    /// Whether each bar's value is written above it.
    public var showsValues = true
    /// A printf format for the values (e.g. `"%.1f%%"`), or nil for an automatic one
    /// (whole numbers with thousands separators, else three significant digits).
    public var valueFormat: String?
    /// The colour of bars without their own colour, or nil for the palette's first colour.
    public var color: Color?
    /// Colour each bar with the next palette colour instead of one colour for all.
    public var colorsByCategory = false
    /// Colours for `colorsByCategory`.
    public var palette: Palette = .tab10
    /// Bar width as a fraction of the space per category (0…1).
    public var barWidth = 0.7
    /// Output width in pixels.
    public var width: Int
    /// Output height in pixels.
    public var height: Int
    /// The bars added so far, left to right.
    public private(set) var bars: [Bar] = []
    private var pendingMismatch: (categories: Int, values: Int)?

    /// An empty chart; add bars with `add(bar:value:)`.
    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                width: Int = 800, height: Int = 500) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    /// A chart with one bar per category; the two arrays must have the same length (checked
    /// when the chart is drawn).
    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                categories: [String], values: [Double], width: Int = 800, height: Int = 500) {
        self.init(title: title, xLabel: xLabel, yLabel: yLabel, width: width, height: height)
        if categories.count != values.count { pendingMismatch = (categories.count, values.count) }
        bars = zip(categories, values).map { Bar(label: $0, value: $1, color: nil) }
    }

    /// A chart of counts, one bar per category.
    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                categories: [String], counts: [Int], width: Int = 800, height: Int = 500) {
        self.init(title: title, xLabel: xLabel, yLabel: yLabel, categories: categories,
                  values: counts.map(Double.init), width: width, height: height)
    }

    /// The output size in pixels.
    public var canvasSize: (width: Int, height: Int) { (width, height) }

    /// Adds a bar at the right end.
    public mutating func add(bar label: String, value: Double, color: Color? = nil) {
        bars.append(Bar(label: label, value: value, color: color))
    }

    /// Draws axes, bars and value labels; throws when there are no bars, the category and value
    /// counts differ, or a value is not finite.
    public func draw(on canvas: Canvas) throws {
        let name = PlotError.chartName("BarChart", title)
        if let (categories, values) = pendingMismatch {
            throw PlotError.mismatchedLengths(field: name,
                                              detail: "\(categories) categories but \(values) values")
        }
        guard !bars.isEmpty else {
            throw PlotError.emptyChart(chart: name, hint: "add bars with add(bar:value:) before saving")
        }
        if let i = bars.firstIndex(where: { !$0.value.isFinite }) {
            throw PlotError.invalidValue(field: "\(name) bar '\(bars[i].label)'",
                                         detail: "value \(bars[i].value) is not finite")
        }
        let values = bars.map(\.value)
        var yAxis = Axis.fitting(values, includeZero: true)!
        // Headroom for the value labels above (or below) the bars.
        let span = yAxis.upper - yAxis.lower
        if values.contains(where: { $0 > 0 }) { yAxis.upper += span * (showsValues ? 0.08 : 0.03) }
        if values.contains(where: { $0 < 0 }) { yAxis.lower -= span * (showsValues ? 0.08 : 0.03) }

        var axes = Axes(title: title, xLabel: xLabel, yLabel: yLabel,
                        x: Axis(categories: bars.map(\.label)), y: yAxis)
        axes.layout(on: canvas)
        axes.drawGrid(on: canvas)

        let slot = axes.plot.width / Double(bars.count)
        let labels = NiceTicks.valueLabels(bars.map(\.value), format: valueFormat)
        let fontSize = canvas.largestFontSize(fitting: labels, width: slot - 2)
        for (i, bar) in bars.enumerated() {
            let left = axes.px(Double(i) - barWidth / 2)
            let right = axes.px(Double(i) + barWidth / 2)
            let rect = Canvas.Rect(corner: Canvas.Point(x: left.rounded(), y: axes.py(0).rounded()),
                                   Canvas.Point(x: right.rounded(), y: axes.py(bar.value).rounded()))
            let color = bar.color ?? (colorsByCategory ? palette[i] : (color ?? palette[0]))
            canvas.fill(rect, color: color)
            canvas.layout.bars.append(rect)
            if showsValues, let fontSize {
                let above = bar.value >= 0
                canvas.text(labels[i], at: Canvas.Point(x: rect.midX, y: above ? rect.y - 4 : rect.maxY + 4),
                            size: fontSize, align: .center, verticalAlign: above ? .bottom : .top)
                canvas.layout.valueLabels.append(labels[i])
            }
        }
        axes.drawFrame(on: canvas)
        canvas.layout.series = bars.map(\.label)
    }
}
