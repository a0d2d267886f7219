import Foundation

/// The shape drawn at each data point of a line series (and in its legend entry).
public enum Marker: Sendable, Equatable, CaseIterable {
    /// No marker: the line only.
    case none
    /// A filled disc.
    case circle
    /// A filled square.
    case square
    /// A filled upward triangle.
    case triangle
    /// A filled diamond.
    case diamond

    /// Draws the marker centred at `center`; `size` is the marker's diameter in pixels.
    func draw(at center: Point, size: Double, color: Color, on canvas: Canvas) {
        let r = size / 2
        let (x, y) = (center.x, center.y)
        switch self {
        case .none:
            return
        case .circle:
            canvas.fillCircle(center: center, radius: r, color: color)
        case .square:
            let s = r * 0.9
            canvas.fill(Canvas.Rect(x: x - s, y: y - s, width: 2 * s, height: 2 * s), color: color)
        case .triangle:
            let s = r * 1.15
            canvas.fillPolygon([Point(x: x, y: y - s), Point(x: x + s, y: y + s * 0.8),
                                Point(x: x - s, y: y + s * 0.8)], color: color)
        case .diamond:
            let s = r * 1.2
            canvas.fillPolygon([Point(x: x, y: y - s), Point(x: x + s, y: y),
                                Point(x: x, y: y + s), Point(x: x - s, y: y)], color: color)
        }
    }

    typealias Point = Canvas.Point
}

/// How a series' line is stroked.
public enum LineStyle: Sendable, Equatable, CaseIterable {
    /// A continuous line.
    case solid
    /// Long dashes, e.g. for a validation curve beside its solid training curve.
    case dashed
    /// Short dots.
    case dotted
    /// No line: the points alone (a scatter plot; they get a circle unless the series names a marker).
    case none

    /// The on/off pattern in pixels for a line of width `width` (empty for solid and none).
    func dash(width: Double) -> [Double] {
        switch self {
        case .solid, .none: return []
        case .dashed: return [4 * width, 2.5 * width]
        case .dotted: return [1.2 * width, 1.8 * width]
        }
    }
}
