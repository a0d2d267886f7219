import CCairo
import Foundation

/// A drawing surface for charts: a thin wrapper around a cairo context, in pixel coordinates with
/// the origin at the top-left. The same calls draw into PNG, SVG and PDF output.
///
/// Charts receive a canvas in `Chart.draw(on:)`; every text drawn is recorded in `layout.texts`.
public final class Canvas {
    /// A position in pixels, origin at the top-left, y pointing down.
    public struct Point: Sendable, Equatable {
        /// Horizontal position.
        public var x: Double
        /// Vertical position (down is positive).
        public var y: Double
        /// A point at `(x, y)`.
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }

    /// An axis-aligned rectangle in pixels.
    public struct Rect: Sendable, Equatable {
        /// Left edge.
        public var x: Double
        /// Top edge.
        public var y: Double
        /// Width (≥ 0).
        public var width: Double
        /// Height (≥ 0).
        public var height: Double
        /// A rectangle with its top-left corner at `(x, y)`.
        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x; self.y = y; self.width = width; self.height = height
        }
        /// The rectangle spanning two corners given in any order.
        public init(corner a: Point, _ b: Point) {
            self.init(x: min(a.x, b.x), y: min(a.y, b.y), width: abs(a.x - b.x), height: abs(a.y - b.y))
        }
        /// Right edge.
        public var maxX: Double { x + width }
        /// Bottom edge.
        public var maxY: Double { y + height }
        /// Horizontal centre.
        public var midX: Double { x + width / 2 }
        /// Vertical centre.
        public var midY: Double { y + height / 2 }
        /// Whether `p` lies inside or on the edge.
        public func contains(_ p: Point) -> Bool { p.x >= x && p.x <= maxX && p.y >= y && p.y <= maxY }
        /// The rectangle shrunk by `d` on every side (grown when `d` < 0).
        public func insetBy(_ d: Double) -> Rect {
            Rect(x: x + d, y: y + d, width: max(0, width - 2 * d), height: max(0, height - 2 * d))
        }
    }

    /// Where a text's anchor point sits horizontally.
    public enum HorizontalAlignment: Sendable { case left, center, right }
    /// Where a text's anchor point sits vertically: `top` and `middle` use the cap height.
    public enum VerticalAlignment: Sendable { case top, middle, baseline, bottom }

    /// The font family passed to cairo's toy text API.
    public static let fontFamily = "sans-serif"

    let context: OpaquePointer
    /// Canvas width in pixels.
    public let width: Int
    /// Canvas height in pixels.
    public let height: Int
    /// What has been drawn so far, for tests and callers: texts, bars, cells, images, points.
    public internal(set) var layout: ChartLayout

    init(context: OpaquePointer, width: Int, height: Int) {
        self.context = context
        self.width = width
        self.height = height
        self.layout = ChartLayout(width: width, height: height)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(context, CAIRO_LINE_CAP_BUTT)
        // Unhinted metrics: text measures the same on raster and vector surfaces, so PNG, SVG and
        // PDF get the same layout.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_set_font_options(context, options)
        cairo_font_options_destroy(options)
    }

    /// The whole canvas as a rectangle.
    public var bounds: Rect { Rect(x: 0, y: 0, width: Double(width), height: Double(height)) }

    // MARK: Shapes

    /// A straight line; `dash` lists on/off lengths in pixels (empty for solid).
    public func line(from a: Point, to b: Point, color: Color, width: Double = 1, dash: [Double] = []) {
        polyline([a, b], color: color, width: width, dash: dash)
    }

    /// Connected line segments through `points`.
    public func polyline(_ points: [Point], color: Color, width: Double = 1, dash: [Double] = [],
                         alpha: Double = 1) {
        guard let first = points.first else { return }
        cairo_new_path(context)
        cairo_move_to(context, first.x, first.y)
        for p in points.dropFirst() { cairo_line_to(context, p.x, p.y) }
        setSource(color, alpha: alpha)
        cairo_set_line_width(context, width)
        dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
        cairo_stroke(context)
        cairo_set_dash(context, nil, 0, 0)
    }

    /// A filled rectangle.
    public func fill(_ rect: Rect, color: Color, alpha: Double = 1) {
        cairo_new_path(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        setSource(color, alpha: alpha)
        cairo_fill(context)
    }

    /// A rectangle outline, drawn on half pixels so 1-pixel lines stay sharp in PNG output.
    public func stroke(_ rect: Rect, color: Color, width: Double = 1) {
        cairo_new_path(context)
        cairo_rectangle(context, Self.crisp(rect.x), Self.crisp(rect.y),
                        rect.width.rounded(), rect.height.rounded())
        setSource(color, alpha: 1)
        cairo_set_line_width(context, width)
        cairo_stroke(context)
    }

    /// A filled circle, optionally with an outline ring.
    public func fillCircle(center: Point, radius: Double, color: Color, alpha: Double = 1,
                           outline: Color? = nil) {
        cairo_new_path(context)
        cairo_arc(context, center.x, center.y, radius, 0, 2 * Double.pi)
        setSource(color, alpha: alpha)
        if let outline {
            cairo_fill_preserve(context)
            setSource(outline, alpha: 1)
            cairo_set_line_width(context, 1)
            cairo_stroke(context)
        } else {
            cairo_fill(context)
        }
    }

    /// A filled closed polygon.
    public func fillPolygon(_ points: [Point], color: Color, alpha: Double = 1) {
        guard let first = points.first else { return }
        cairo_new_path(context)
        cairo_move_to(context, first.x, first.y)
        for p in points.dropFirst() { cairo_line_to(context, p.x, p.y) }
        cairo_close_path(context)
        setSource(color, alpha: alpha)
        cairo_fill(context)
    }

    /// A rectangle filled with a colormap: low end at the bottom (vertical) or left (horizontal).
    public func fillGradient(_ rect: Rect, colormap: Colormap, vertical: Bool = true) {
        let pattern = vertical
            ? cairo_pattern_create_linear(0, rect.maxY, 0, rect.y)
            : cairo_pattern_create_linear(rect.x, 0, rect.maxX, 0)
        defer { cairo_pattern_destroy(pattern) }
        let n = colormap.stops.count
        for (i, c) in colormap.stops.enumerated() {
            cairo_pattern_add_color_stop_rgb(pattern, Double(i) / Double(n - 1), c.red, c.green, c.blue)
        }
        cairo_new_path(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_set_source(context, pattern)
        cairo_fill(context)
    }

    /// Draws a grayscale image (row-major, 0 = black) with its top-left at `origin`, each pixel
    /// enlarged to a `scale`×`scale` block (nearest neighbour, sharp in every output format).
    public func drawGrayImage(_ pixels: [UInt8], width: Int, height: Int, at origin: Point, scale: Int = 1) {
        let scale = max(1, scale)
        guard width > 0, height > 0, pixels.count == width * height else { return }
        let (w, h) = (width * scale, height * scale)
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(w), Int32(h))
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS,
              let data = cairo_image_surface_get_data(surface) else { return }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        for y in 0..<h {
            let row = UnsafeMutableRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
            let source = (y / scale) * width
            for x in 0..<w {
                let v = UInt32(pixels[source + x / scale])
                row[x] = (v << 16) | (v << 8) | v
            }
        }
        cairo_surface_mark_dirty(surface)
        let (x0, y0) = (origin.x.rounded(), origin.y.rounded())
        cairo_save(context)
        cairo_set_source_surface(context, surface, x0, y0)
        cairo_pattern_set_filter(cairo_get_source(context), CAIRO_FILTER_NEAREST)
        cairo_new_path(context)
        cairo_rectangle(context, x0, y0, Double(w), Double(h))
        cairo_fill(context)
        cairo_restore(context)
    }

    /// Runs `body` with drawing clipped to `rect`.
    public func clipped<T>(to rect: Rect, _ body: () throws -> T) rethrows -> T {
        cairo_save(context)
        cairo_new_path(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
        defer { cairo_restore(context) }
        return try body()
    }

    // MARK: Text

    /// Draws one line of text anchored at `point`, rotated by `angle` radians (clockwise, about
    /// the anchor), and records it in `layout.texts`.
    public func text(_ string: String, at point: Point, size: Double = 13, bold: Bool = false,
                     color: Color = .text, align: HorizontalAlignment = .left,
                     verticalAlign: VerticalAlignment = .baseline, angle: Double = 0) {
        guard !string.isEmpty else { return }
        selectFont(size: size, bold: bold)
        let width = advance(string)
        let dx: Double
        switch align {
        case .left: dx = 0
        case .center: dx = -width / 2
        case .right: dx = -width
        }
        let dy: Double
        switch verticalAlign {
        case .top: dy = Self.capHeight(size)
        case .middle: dy = Self.capHeight(size) / 2
        case .baseline: dy = 0
        case .bottom: dy = -Self.descent(size)
        }
        cairo_save(context)
        cairo_translate(context, point.x, point.y)
        if angle != 0 { cairo_rotate(context, angle) }
        cairo_new_path(context)
        cairo_move_to(context, dx, dy)
        setSource(color, alpha: 1)
        string.withCString { cairo_show_text(context, $0) }
        cairo_restore(context)
        layout.texts.append(string)
    }

    /// The width in pixels of `string` set in the chart font.
    public func textWidth(_ string: String, size: Double = 13, bold: Bool = false) -> Double {
        guard !string.isEmpty else { return 0 }
        selectFont(size: size, bold: bold)
        return advance(string)
    }

    /// The largest size in `sizes` (tried in order) at which every one of `labels` is at most
    /// `width` pixels wide, or nil when none is.
    public func largestFontSize(fitting labels: [String], width: Double,
                                sizes: [Double] = [13, 12, 11, 10, 9]) -> Double? {
        sizes.first { size in labels.allSatisfy { textWidth($0, size: size) <= width } }
    }

    /// The distance between baselines of consecutive lines of text at `size`.
    public static func lineHeight(_ size: Double) -> Double { (size * 1.25).rounded() }

    /// The height of capital letters and digits at `size` (DejaVu Sans: 0.73 em).
    public static func capHeight(_ size: Double) -> Double { size * 0.73 }

    /// The depth of descenders (g, p, y) below the baseline at `size`.
    public static func descent(_ size: Double) -> Double { size * 0.24 }

    // MARK: Helpers

    /// `v` moved to the nearest half pixel, where a 1-pixel line covers exactly one pixel row.
    static func crisp(_ v: Double) -> Double { v.rounded(.down) + 0.5 }

    private func selectFont(size: Double, bold: Bool) {
        cairo_select_font_face(context, Self.fontFamily, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    private func advance(_ string: String) -> Double {
        var extents = cairo_text_extents_t()
        string.withCString { cairo_text_extents(context, $0, &extents) }
        return extents.x_advance
    }

    private func setSource(_ color: Color, alpha: Double) {
        if alpha >= 1 {
            cairo_set_source_rgb(context, color.red, color.green, color.blue)
        } else {
            cairo_set_source_rgba(context, color.red, color.green, color.blue, max(0, alpha))
        }
    }
}
