import Foundation

/// A heatmap: a grid of coloured cells with a colour bar, row and column labels, and optionally
/// each cell's value written in a colour that reads on it. Used for confusion matrices.
///
///     let chart = Heatmap.confusionMatrix(counts, classes: ["0", "1", "2"])
///     try chart.save(to: "confusion.png")
public struct Heatmap: Chart {
    /// The values, row by row; every row has the same length. NaN cells are drawn gray and blank.
    public var values: [[Double]]
    /// One label per row (top to bottom), or nil for 0, 1, 2, …
    public var rowLabels: [String]?
    /// One label per column (left to right), or nil for 0, 1, 2, …
    public var columnLabels: [String]?
    /// The title above the plot, or nil.
    public var title: String?
    /// The horizontal axis title (e.g. "predicted"), or nil.
    public var xLabel: String?
    /// The vertical axis title (e.g. "true"), or nil.
    public var yLabel: String?
    /// The colour scale from the lowest to the highest value.
    public var colormap: Colormap = .blues
    /// Fixed colour limits, or nil for the data's minimum and maximum.
    public var valueRange: ClosedRange<Double>?
    /// Whether each cell's value is written in it (when it fits).
    public var showsValues = true
    /// A printf format for cell values, or nil for an automatic one.
    public var valueFormat: String?
    /// Whether a colour bar with ticks is drawn on the right.
    public var showsColorBar = true
    /// Output width in pixels.
    public var width: Int
    /// Output height in pixels.
    public var height: Int

    /// A heatmap of `values` (rows top to bottom); shapes are checked when the chart is drawn.
    public init(values: [[Double]], rowLabels: [String]? = nil, columnLabels: [String]? = nil,
                title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                width: Int = 720, height: Int = 640) {
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    /// A heatmap of whole-number counts.
    public init(counts: [[Int]], rowLabels: [String]? = nil, columnLabels: [String]? = nil,
                title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                width: Int = 720, height: Int = 640) {
        self.init(values: counts.map { $0.map(Double.init) }, rowLabels: rowLabels, columnLabels: columnLabels,
                  title: title, xLabel: xLabel, yLabel: yLabel, width: width, height: height)
    }

    /// A confusion matrix: `counts[true][predicted]`, rows titled "true", columns "predicted".
    public static func confusionMatrix(_ counts: [[Int]], classes: [String],
                                       title: String? = "Confusion matrix") -> Heatmap {
        Heatmap(counts: counts, rowLabels: classes, columnLabels: classes, title: title,
                xLabel: "predicted", yLabel: "true")
    }

    /// The output size in pixels.
    public var canvasSize: (width: Int, height: Int) { (width, height) }

    /// Draws cells, labels and colour bar; throws when the grid is empty or ragged, the label
    /// counts do not match it, or no value is finite.
    public func draw(on canvas: Canvas) throws {
        let (rows, columns) = try validate()
        let finite = values.joined().filter(\.isFinite)
        var (low, high) = (valueRange?.lowerBound ?? finite.min()!, valueRange?.upperBound ?? finite.max()!)
        if high <= low { high = low + 1 }

        let barTicks = NiceTicks.linear(from: low, to: high, maxCount: max(3, (height - 150) / 60))
        let barLabelWidth = barTicks.labels.map { canvas.textWidth($0, size: Axes.tickFont) }.max() ?? 0
        var axes = Axes(title: title, xLabel: xLabel, yLabel: yLabel,
                        x: Axis(categories: columnLabels ?? (0..<columns).map(String.init)),
                        y: Axis(categories: rowLabels ?? (0..<rows).map(String.init), reversed: true))
        axes.showsGrid = false
        axes.showsSpines = false
        axes.cellGrid = (columns, rows)
        axes.reservedRight = showsColorBar ? Self.barGap + Self.barWidth + Axes.tickLength + 4 + barLabelWidth : 0
        axes.layout(on: canvas)

        let labels = NiceTicks.valueLabels(Array(values.joined()), format: valueFormat)
        let cellSize = axes.plot.width / Double(columns)
        let fontSize = canvas.largestFontSize(fitting: labels, width: cellSize - 4,
                                              sizes: [13, 12, 11, 10, 9, 8].filter { $0 + 4 <= cellSize })
        for (r, row) in values.enumerated() {
            for (c, value) in row.enumerated() {
                let rect = Canvas.Rect(corner: Canvas.Point(x: axes.px(Double(c) - 0.5).rounded(),
                                                            y: axes.py(Double(r) - 0.5).rounded()),
                                       Canvas.Point(x: axes.px(Double(c) + 0.5).rounded(),
                                                    y: axes.py(Double(r) + 0.5).rounded()))
                canvas.layout.cells.append(rect)
                guard value.isFinite else {
                    canvas.fill(rect, color: Color(hex: 0xdddddd))
                    continue
                }
                let color = colormap.color(at: (value - low) / (high - low))
                canvas.fill(rect, color: color)
                let label = labels[r * columns + c]
                if showsValues, let fontSize {
                    canvas.text(label, at: Canvas.Point(x: rect.midX, y: rect.midY), size: fontSize,
                                color: color.contrastingText, align: .center, verticalAlign: .middle)
                    canvas.layout.valueLabels.append(label)
                }
            }
        }
        axes.drawFrame(on: canvas)
        if showsColorBar { drawColorBar(barTicks, low: low, high: high, beside: axes.plot, on: canvas) }
    }

    private static let barGap = 16.0
    private static let barWidth = 16.0

    /// The vertical colour bar right of `plot`, with its ticks and labels.
    private func drawColorBar(_ ticks: NiceTicks, low: Double, high: Double, beside plot: Canvas.Rect,
                              on canvas: Canvas) {
        let bar = Canvas.Rect(x: plot.maxX + Self.barGap, y: plot.y, width: Self.barWidth, height: plot.height)
        canvas.fillGradient(bar, colormap: colormap)
        canvas.stroke(bar, color: Color.axis)
        for (v, label) in zip(ticks.values, ticks.labels) {
            let y = bar.maxY - (v - low) / (high - low) * bar.height
            guard y >= bar.y - 0.5, y <= bar.maxY + 0.5 else { continue }
            let yy = Canvas.crisp(y)
            canvas.line(from: Canvas.Point(x: bar.maxX, y: yy),
                        to: Canvas.Point(x: bar.maxX + Axes.tickLength, y: yy), color: .axis)
            canvas.text(label, at: Canvas.Point(x: bar.maxX + Axes.tickLength + 4, y: y), size: Axes.tickFont,
                        align: .left, verticalAlign: .middle)
            canvas.layout.colorBarTicks.append(label)
        }
    }

    /// The grid's shape, after checking it is non-empty, rectangular and matches the labels.
    private func validate() throws -> (rows: Int, columns: Int) {
        let name = PlotError.chartName("Heatmap", title)
        guard let first = values.first, !first.isEmpty else {
            throw PlotError.emptyChart(chart: name, hint: "values needs at least one row with one value")
        }
        if let r = values.firstIndex(where: { $0.count != first.count }) {
            throw PlotError.mismatchedLengths(field: "\(name) values",
                                              detail: "row \(r) has \(values[r].count) values but row 0 has \(first.count)")
        }
        if let rowLabels, rowLabels.count != values.count {
            throw PlotError.mismatchedLengths(field: "\(name) rowLabels",
                                              detail: "\(rowLabels.count) labels for \(values.count) rows")
        }
        if let columnLabels, columnLabels.count != first.count {
            throw PlotError.mismatchedLengths(field: "\(name) columnLabels",
                                              detail: "\(columnLabels.count) labels for \(first.count) columns")
        }
        guard values.joined().contains(where: \.isFinite) else {
            throw PlotError.invalidValue(field: "\(name) values", detail: "no finite value to colour")
        }
        if let valueRange, !(valueRange.upperBound > valueRange.lowerBound) {
            throw PlotError.invalidValue(field: "\(name) valueRange", detail: "\(valueRange) is empty")
        }
        return (values.count, first.count)
    }
}
