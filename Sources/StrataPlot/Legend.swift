import Foundation

/// Where a chart's legend sits inside its plot area.
public enum LegendPosition: Sendable, Equatable, CaseIterable {
    /// The corner that covers the fewest data points.
    case best
    /// Upper-left corner.
    case topLeft
    /// Upper-right corner.
    case topRight
    /// Lower-left corner.
    case bottomLeft
    /// Lower-right corner.
    case bottomRight
    /// No legend.
    case hidden
}

/// A boxed list of series names with their line, marker or swatch, placed in a plot corner.
struct Legend {
    /// One row of the legend.
    struct Entry {
        var name: String
        var color: Color
        /// The line sample's style, or nil for a dot-only entry (strip charts).
        var line: LineStyle?
        var marker: Marker
    }

    var entries: [Entry]

    static let fontSize = 13.0
    static let rowHeight = 20.0
    static let sampleWidth = 28.0
    static let padding = 8.0
    static let inset = 10.0

    /// The legend box's size on `canvas`.
    func size(on canvas: Canvas) -> (width: Double, height: Double) {
        let names = entries.map { canvas.textWidth($0.name, size: Self.fontSize) }.max() ?? 0
        return (2 * Self.padding + Self.sampleWidth + 8 + names,
                2 * Self.padding - 4 + Self.rowHeight * Double(entries.count))
    }

    /// Draws the legend in `plot` at `position`; `.best` picks the corner covering fewest of `avoiding`.
    func draw(on canvas: Canvas, in plot: Canvas.Rect, position: LegendPosition,
              avoiding points: [Canvas.Point]) {
        guard !entries.isEmpty, position != .hidden else { return }
        let (w, h) = size(on: canvas)
        func box(_ corner: LegendPosition) -> Canvas.Rect {
            let left = corner == .topLeft || corner == .bottomLeft
            let top = corner == .topLeft || corner == .topRight
            return Canvas.Rect(x: left ? plot.x + Self.inset : plot.maxX - Self.inset - w,
                               y: top ? plot.y + Self.inset : plot.maxY - Self.inset - h,
                               width: w, height: h)
        }
        let corner: LegendPosition
        if position == .best {
            let order: [LegendPosition] = [.topRight, .topLeft, .bottomRight, .bottomLeft]
            let costs = order.map { c in points.filter { box(c).insetBy(-4).contains($0) }.count }
            corner = order[costs.firstIndex(of: costs.min()!)!]
        } else {
            corner = position
        }
        let frame = box(corner)
        canvas.fill(frame, color: .white, alpha: 0.88)
        canvas.stroke(frame, color: Color(hex: 0xcccccc))
        for (i, entry) in entries.enumerated() {
            let midY = frame.y + Self.padding + Self.rowHeight * (Double(i) + 0.5) - 2
            let x0 = frame.x + Self.padding
            if let line = entry.line {
                canvas.line(from: Canvas.Point(x: x0, y: midY), to: Canvas.Point(x: x0 + Self.sampleWidth, y: midY),
                            color: entry.color, width: 2, dash: line.dash(width: 2))
            }
            let marker = entry.line == nil && entry.marker == .none ? Marker.circle : entry.marker
            marker.draw(at: Canvas.Point(x: x0 + Self.sampleWidth / 2, y: midY), size: 7,
                        color: entry.color, on: canvas)
            canvas.text(entry.name, at: Canvas.Point(x: x0 + Self.sampleWidth + 8, y: midY),
                        size: Self.fontSize, align: .left, verticalAlign: .middle)
        }
        canvas.layout.legend = entries.map(\.name)
        canvas.layout.legendArea = frame
    }
}
