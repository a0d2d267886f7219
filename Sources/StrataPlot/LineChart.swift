import Foundation

/// A line chart with one or more named series, a legend, axis titles and nice ticks; the y axis
/// may be logarithmic. Used for training curves and for overlaying runs.
///
///     var chart = LineChart(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy")
///     chart.add(series: "train", x: [1, 2, 3], y: [0.90, 0.95, 0.97])
///     chart.add(series: "validation", x: [1, 2, 3], y: [0.88, 0.93, 0.95], style: .dashed)
///     try chart.save(to: "accuracy.png")
///
/// Non-finite y values (a diverged loss) leave a gap in the line instead of failing.
public struct LineChart: Chart {
    /// One named line.
    public struct Series: Sendable, Equatable {
        /// The legend name.
        public var name: String
        /// Horizontal positions, one per point.
        public var x: [Double]
        /// Vertical positions, one per point.
        public var y: [Double]
        /// The colour, or nil for the palette's next colour.
        public var color: Color?
        /// Solid, dashed or dotted.
        public var style: LineStyle
        /// The shape drawn at each point.
        public var marker: Marker
    }

    /// The title above the plot, or nil.
    public var title: String?
    /// The horizontal axis title, or nil.
    public var xLabel: String?
    /// The vertical axis title, or nil.
    public var yLabel: String?
    /// Linear or log scale for the y axis.
    public var yScale: Axis.Scale
    /// Linear or log scale for the x axis.
    public var xScale: Axis.Scale = .linear
    /// Fixed x limits, or nil to fit the data with a 5% margin.
    public var xRange: ClosedRange<Double>?
    /// Fixed y limits, or nil to fit the data with a 5% margin.
    public var yRange: ClosedRange<Double>?
    /// Where the legend goes; `.hidden` draws none.
    public var legendPosition: LegendPosition = .best
    /// Colours for series without an explicit colour, in order.
    public var palette: Palette = .tab10
    /// Line width in pixels.
    public var lineWidth: Double = 2
    /// Whether light grid lines are drawn at the ticks.
    public var showsGrid = true
    /// Output width in pixels.
    public var width: Int
    /// Output height in pixels.
    public var height: Int
    /// The series added so far, in drawing order.
    public private(set) var series: [Series] = []

    /// An empty chart; add lines with `add(series:x:y:)`.
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

    /// Adds a line through the points `(x[i], y[i])`; lengths are checked when the chart is drawn.
    public mutating func add(series name: String, x: [Double], y: [Double], color: Color? = nil,
                             style: LineStyle = .solid, marker: Marker = .none) {
        series.append(Series(name: name, x: x, y: y, color: color, style: style, marker: marker))
    }

    /// Adds a line from `Float` (or other floating-point) values, as produced by training.
    public mutating func add<T: BinaryFloatingPoint>(series name: String, x: [T], y: [T], color: Color? = nil,
                             style: LineStyle = .solid, marker: Marker = .none) {
        add(series: name, x: x.map(Double.init), y: y.map(Double.init), color: color, style: style, marker: marker)
    }

    /// Adds a line with x = 1, 2, 3, … (epochs).
    public mutating func add(series name: String, y: [Double], color: Color? = nil,
                             style: LineStyle = .solid, marker: Marker = .none) {
        add(series: name, x: y.indices.map { Double($0 + 1) }, y: y, color: color, style: style, marker: marker)
    }

    /// Adds a line from `Float` (or other floating-point) values with x = 1, 2, 3, … (epochs).
    public mutating func add<T: BinaryFloatingPoint>(series name: String, y: [T], color: Color? = nil,
                             style: LineStyle = .solid, marker: Marker = .none) {
        add(series: name, y: y.map(Double.init), color: color, style: style, marker: marker)
    }

    /// Draws axes, lines, markers and legend; throws when a series is empty, its x and y lengths
    /// differ, or (log scale) it has a value ≤ 0.
    public func draw(on canvas: Canvas) throws {
        try validate()
        let xs = series.flatMap(\.x)
        let ys = series.flatMap(\.y)
        guard var xAxis = Axis.fitting(xs, scale: xScale) else {
            throw PlotError.invalidValue(field: name + " x", detail: "no finite x value")
        }
        // Only gaps (a run whose loss was NaN throughout): empty axes, as matplotlib draws them.
        var yAxis = Axis.fitting(ys, scale: yScale)
            ?? (yScale == .log ? Axis(lower: 1, upper: 10, scale: .log) : Axis(lower: 0, upper: 1))
        if let xRange { xAxis = Axis(lower: xRange.lowerBound, upper: xRange.upperBound, scale: xScale) }
        if let yRange { yAxis = Axis(lower: yRange.lowerBound, upper: yRange.upperBound, scale: yScale) }

        var axes = Axes(title: title, xLabel: xLabel, yLabel: yLabel, x: xAxis, y: yAxis)
        axes.showsGrid = showsGrid
        axes.layout(on: canvas)
        axes.drawGrid(on: canvas)

        var occupied: [Canvas.Point] = []
        var markers = 0
        canvas.clipped(to: axes.plot.insetBy(-lineWidth * 3)) {
            for (index, s) in series.enumerated() {
                let color = s.color ?? palette[index]
                var run: [Canvas.Point] = []
                var runs: [[Canvas.Point]] = []
                for (x, y) in zip(s.x, s.y) {
                    if x.isFinite && y.isFinite {
                        run.append(axes.point(x, y))
                    } else if !run.isEmpty {
                        runs.append(run)
                        run = []
                    }
                }
                if !run.isEmpty { runs.append(run) }
                for run in runs where s.style != .none {
                    canvas.polyline(run, color: color, width: lineWidth, dash: s.style.dash(width: lineWidth))
                    occupied += Self.samples(along: run, every: 6)
                }
                let marker = effectiveMarker(s)
                if marker != .none {
                    for p in runs.joined() {
                        marker.draw(at: p, size: 2.6 * lineWidth + 2, color: color, on: canvas)
                        // A hidden data point is worse than a hidden stretch of line (sampled every 6 px).
                        occupied += Array(repeating: p, count: 10)
                        markers += 1
                    }
                }
            }
        }
        axes.drawFrame(on: canvas)
        let entries = series.enumerated().map { index, s in
            Legend.Entry(name: s.name, color: s.color ?? palette[index],
                         line: isolated(s) || s.style == .none ? nil : s.style, marker: effectiveMarker(s))
        }.filter { !$0.name.isEmpty }
        Legend(entries: entries).draw(on: canvas, in: axes.plot, position: legendPosition, avoiding: occupied)
        canvas.layout.series = series.map(\.name)
        canvas.layout.points = markers
    }

    /// Throws the first problem in the data: no series, an empty series, mismatched lengths,
    /// a value ≤ 0 on a log axis, or empty limits.
    private func validate() throws {
        guard !series.isEmpty else {
            throw PlotError.emptyChart(chart: name,
                                       hint: "add a line with add(series:x:y:) before saving")
        }
        for s in series {
            let field = "LineChart series '\(s.name)'"
            guard s.x.count == s.y.count else {
                throw PlotError.mismatchedLengths(field: field,
                                                  detail: "x has \(s.x.count) values but y has \(s.y.count)")
            }
            guard !s.y.isEmpty else { throw PlotError.emptyData(field: field) }
            if xScale == .log, let i = s.x.firstIndex(where: { $0 <= 0 }) {
                throw PlotError.invalidValue(field: field,
                                             detail: "x[\(i)] = \(s.x[i]) cannot be shown on a log axis (needs > 0)")
            }
            if yScale == .log, let i = s.y.firstIndex(where: { $0 <= 0 }) {
                throw PlotError.invalidValue(field: field,
                                             detail: "y[\(i)] = \(s.y[i]) cannot be shown on a log axis (needs > 0)")
            }
        }
        if xScale == .log, let r = xRange, r.lowerBound <= 0 {
            throw PlotError.invalidValue(field: "LineChart xRange", detail: "a log axis needs limits > 0, got \(r)")
        }
        if yScale == .log, let r = yRange, r.lowerBound <= 0 {
            throw PlotError.invalidValue(field: "LineChart yRange", detail: "a log axis needs limits > 0, got \(r)")
        }
        for (name, r) in [("xRange", xRange), ("yRange", yRange)] {
            if let r, !(r.upperBound > r.lowerBound && r.lowerBound.isFinite && r.upperBound.isFinite) {
                throw PlotError.invalidValue(field: "LineChart \(name)", detail: "\(r) is empty or not finite")
            }
        }
    }

    /// Whether no two consecutive points of `s` are finite, so no line segment is drawn.
    private func isolated(_ s: Series) -> Bool {
        !zip(zip(s.x, s.y), zip(s.x, s.y).dropFirst()).contains { a, b in
            a.0.isFinite && a.1.isFinite && b.0.isFinite && b.1.isFinite
        }
    }

    /// The series' marker, or a circle when it has no segment to draw (so it stays visible).
    private func effectiveMarker(_ s: Series) -> Marker {
        s.marker == .none && (isolated(s) || s.style == .none) ? .circle : s.marker
    }

    /// The chart as error messages name it.
    private var name: String { PlotError.chartName("LineChart", title) }

    /// Points every `step` pixels along a polyline, for placing the legend away from the data.
    private static func samples(along run: [Canvas.Point], every step: Double) -> [Canvas.Point] {
        var points = Array(run.prefix(1))
        for (a, b) in zip(run, run.dropFirst()) {
            let n = max(1, Int(hypot(b.x - a.x, b.y - a.y) / step))
            for k in 1...n {
                let t = Double(k) / Double(n)
                points.append(Canvas.Point(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t))
            }
        }
        return points
    }
}
