import Foundation

/// The frame shared by the axis-based charts (lines, bars, strips, heatmaps): it sizes the margins
/// from the title, axis titles and tick labels, maps data to pixels, and draws grid, spines, ticks
/// and labels. Category labels that do not fit side by side are wrapped (at spaces, `/` and `-`)
/// or rotated by 45° or 90°.
struct Axes {
    static let padding = 16.0
    static let tickLength = 5.0
    static let gap = 6.0
    static let tickFont = 13.0
    static let labelFont = 14.0
    static let titleFont = 16.0

    /// How the horizontal tick labels are set.
    enum TickLabelStyle: Equatable {
        /// Upright, each label as one or more lines.
        case flat([[String]])
        /// Rotated counter-clockwise by this angle (radians), ending at the tick.
        case rotated(Double)
    }

    var title: String?
    var xLabel: String?
    var yLabel: String?
    var x: Axis
    var y: Axis
    var showsGrid = true
    var showsSpines = true
    /// Room kept free on the right of the plot (for a colour bar), in pixels.
    var reservedRight = 0.0
    /// When set, the plot is shrunk so that each (column, row) cell is square.
    var cellGrid: (columns: Int, rows: Int)?

    private(set) var plot = Canvas.Rect(x: 0, y: 0, width: 1, height: 1)
    private(set) var xTicks = NiceTicks(values: [], labels: [])
    private(set) var yTicks = NiceTicks(values: [], labels: [])
    private(set) var xStyle = TickLabelStyle.flat([])
    private var xBlockHeight = 0.0

    init(title: String?, xLabel: String?, yLabel: String?, x: Axis, y: Axis) {
        self.title = title.flatMap { $0.isEmpty ? nil : $0 }
        self.xLabel = xLabel.flatMap { $0.isEmpty ? nil : $0 }
        self.yLabel = yLabel.flatMap { $0.isEmpty ? nil : $0 }
        self.x = x
        self.y = y
    }

    /// Horizontal pixel position of data value `v`.
    func px(_ v: Double) -> Double { plot.x + x.fraction(of: v) * plot.width }
    /// Vertical pixel position of data value `v`.
    func py(_ v: Double) -> Double { plot.maxY - y.fraction(of: v) * plot.height }
    /// Pixel position of the data point `(vx, vy)`.
    func point(_ vx: Double, _ vy: Double) -> Canvas.Point { Canvas.Point(x: px(vx), y: py(vy)) }

    /// Chooses ticks and margins for `canvas` and fixes `plot`; call before drawing anything.
    mutating func layout(on canvas: Canvas) {
        let (width, height) = (Double(canvas.width), Double(canvas.height))
        let top = Self.padding + (title != nil ? Canvas.lineHeight(Self.titleFont) + 10 : Self.tickFont / 2)
        var plotHeight = height - top - 70
        for _ in 0..<3 {
            yTicks = y.ticks(maxCount: max(3, Int(plotHeight / 50) + 1))
            let widest = yTicks.labels.map { canvas.textWidth($0, size: Self.tickFont) }.max() ?? 0
            var left = Self.padding + widest + Self.gap + Self.tickLength
            if yLabel != nil { left += Canvas.lineHeight(Self.labelFont) + Self.gap }
            let right = Self.padding + reservedRight + (x.isCategorical ? 0 : 12)
            let room = max(40, width - left - right)
            var plotWidth = room
            if let grid = cellGrid {
                plotWidth = min(room / Double(grid.columns), plotHeight / Double(grid.rows)) * Double(grid.columns)
            }
            xTicks = x.ticks(maxCount: max(2, Int(plotWidth / 90) + 1))
            (xStyle, xBlockHeight) = arrange(xTicks.labels, spacing: tickSpacing(plotWidth), on: canvas)
            var bottom = Self.padding + Self.tickLength + Self.gap + xBlockHeight
            if xLabel != nil { bottom += Self.gap + Canvas.lineHeight(Self.labelFont) }
            plotHeight = max(40, height - top - bottom)
            if let grid = cellGrid {
                let cell = min(room / Double(grid.columns), plotHeight / Double(grid.rows))
                plotWidth = cell * Double(grid.columns)
                plotHeight = cell * Double(grid.rows)
                left += (room - plotWidth) / 2
            }
            plot = Canvas.Rect(x: left.rounded(), y: top.rounded(),
                               width: plotWidth.rounded(), height: plotHeight.rounded())
        }
        canvas.layout.title = title
        canvas.layout.plotArea = plot
        canvas.layout.xTicks = xTicks.labels
        canvas.layout.yTicks = yTicks.labels
    }

    /// Light grid lines at the numeric ticks (none along categorical axes).
    func drawGrid(on canvas: Canvas) {
        guard showsGrid else { return }
        let minorColor = Color(hex: 0xf3f3f3)
        if !y.isCategorical {
            // Minor log grid lines only while there are few of them (up to three decades).
            let minor = yTicks.minor.count <= 24 ? yTicks.minor : []
            for (values, color) in [(minor, minorColor), (yTicks.values, Color.grid)] {
                for v in values where inside(py(v), plot.y, plot.maxY) {
                    let yy = Canvas.crisp(py(v))
                    canvas.line(from: .init(x: plot.x, y: yy), to: .init(x: plot.maxX, y: yy), color: color)
                }
            }
        }
        if !x.isCategorical {
            for (values, color) in [(xTicks.minor, minorColor), (xTicks.values, Color.grid)] {
                for v in values where inside(px(v), plot.x, plot.maxX) {
                    let xx = Canvas.crisp(px(v))
                    canvas.line(from: .init(x: xx, y: plot.y), to: .init(x: xx, y: plot.maxY), color: color)
                }
            }
        }
    }

    /// Spines, tick marks, tick labels, axis titles and the chart title.
    func drawFrame(on canvas: Canvas) {
        let color = Color.axis
        if showsSpines {
            let (left, bottom) = (Canvas.crisp(plot.x), Canvas.crisp(plot.maxY))
            canvas.line(from: .init(x: left, y: plot.y), to: .init(x: left, y: plot.maxY + 0.5), color: color)
            canvas.line(from: .init(x: plot.x, y: bottom), to: .init(x: plot.maxX, y: bottom), color: color)
        }
        for (v, label) in zip(yTicks.values, yTicks.labels) where inside(py(v), plot.y, plot.maxY) {
            let yy = Canvas.crisp(py(v))
            canvas.line(from: .init(x: plot.x - Self.tickLength, y: yy), to: .init(x: plot.x, y: yy), color: color)
            canvas.text(label, at: .init(x: plot.x - Self.tickLength - 4, y: py(v)), size: Self.tickFont,
                        align: .right, verticalAlign: .middle)
        }
        for v in yTicks.minor where inside(py(v), plot.y, plot.maxY) {
            let yy = Canvas.crisp(py(v))
            canvas.line(from: .init(x: plot.x - 3, y: yy), to: .init(x: plot.x, y: yy), color: color)
        }
        let labelTop = plot.maxY + Self.tickLength + Self.gap
        for (i, v) in xTicks.values.enumerated() where inside(px(v), plot.x, plot.maxX) {
            let xx = Canvas.crisp(px(v))
            canvas.line(from: .init(x: xx, y: plot.maxY), to: .init(x: xx, y: plot.maxY + Self.tickLength),
                        color: color)
            switch xStyle {
            case .flat(let lines):
                for (k, line) in lines[i].enumerated() {
                    canvas.text(line, at: .init(x: px(v), y: labelTop + Double(k) * Canvas.lineHeight(Self.tickFont)),
                                size: Self.tickFont, align: .center, verticalAlign: .top)
                }
            case .rotated(let angle):
                canvas.text(xTicks.labels[i], at: .init(x: px(v) + 3, y: labelTop - 2), size: Self.tickFont,
                            align: .right, verticalAlign: .middle, angle: -angle)
            }
        }
        if let xLabel {
            canvas.text(xLabel, at: .init(x: plot.midX, y: labelTop + xBlockHeight + Self.gap),
                        size: Self.labelFont, align: .center, verticalAlign: .top)
        }
        if let yLabel {
            canvas.text(yLabel, at: .init(x: Self.padding + Canvas.capHeight(Self.labelFont) / 2 + 2, y: plot.midY),
                        size: Self.labelFont, align: .center, verticalAlign: .middle, angle: -Double.pi / 2)
        }
        if let title {
            let half = canvas.textWidth(title, size: Self.titleFont, bold: true) / 2
            let x = max(Self.padding + half, min(Double(canvas.width) - Self.padding - half, plot.midX))
            canvas.text(title, at: .init(x: x, y: Self.padding), size: Self.titleFont, bold: true,
                        align: .center, verticalAlign: .top)
        }
    }

    /// Pixels between neighbouring x ticks (the room each label has).
    private func tickSpacing(_ plotWidth: Double) -> Double {
        if let categories = x.categories { return plotWidth / Double(max(1, categories.count)) }
        let positions = xTicks.values.map { x.fraction(of: $0) * plotWidth }
        return zip(positions, positions.dropFirst()).map { abs($1 - $0) }.min() ?? plotWidth
    }

    /// Upright labels if they fit, else wrapped onto up to three lines, else rotated; and the
    /// height the labels take below the ticks.
    private func arrange(_ labels: [String], spacing: Double, on canvas: Canvas) -> (TickLabelStyle, Double) {
        let size = Self.tickFont
        let line = Canvas.lineHeight(size)
        guard !labels.isEmpty else { return (.flat([]), 0) }
        let room = spacing - 8
        let widest = labels.map { canvas.textWidth($0, size: size) }.max() ?? 0
        if widest <= room { return (.flat(labels.map { [$0] }), line) }
        let wrapped = labels.compactMap { wrap($0, width: room, on: canvas) }
        if wrapped.count == labels.count, let most = wrapped.map(\.count).max(), most <= 3 {
            return (.flat(wrapped), Double(most) * line)
        }
        let angle = spacing >= 1.7 * size ? Double.pi / 4 : Double.pi / 2
        return (.rotated(angle), widest * sin(angle) + size * cos(angle) + 2)
    }

    /// `label` broken into lines no wider than `width`, at spaces or after `/` and `-`; nil when
    /// one piece alone is too wide.
    private func wrap(_ label: String, width: Double, on canvas: Canvas) -> [String]? {
        var pieces: [(text: String, spaced: Bool)] = []
        var current = ""
        var spaced = false
        for ch in label {
            if ch == " " {
                if !current.isEmpty { pieces.append((current, spaced)) }
                current = ""
                spaced = true
                continue
            }
            current.append(ch)
            if ch == "/" || ch == "-" {
                pieces.append((current, spaced))
                current = ""
                spaced = false
            }
        }
        if !current.isEmpty { pieces.append((current, spaced)) }
        var lines: [String] = []
        for piece in pieces {
            if let last = lines.last {
                let joined = last + (piece.spaced ? " " : "") + piece.text
                if canvas.textWidth(joined, size: Self.tickFont) <= width {
                    lines[lines.count - 1] = joined
                    continue
                }
            }
            guard canvas.textWidth(piece.text, size: Self.tickFont) <= width else { return nil }
            lines.append(piece.text)
        }
        return lines
    }

    private func inside(_ v: Double, _ a: Double, _ b: Double) -> Bool { v >= a - 0.5 && v <= b + 0.5 }
}
