import Foundation

/// Anything that draws itself on a `Canvas`; gives `save(to:)` and `render(as:)` for free.
///
///     var chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss")
///     chart.add(series: "train", y: [2.1, 0.9, 0.5])
///     try chart.save(to: "loss.svg")     // the format comes from the extension
public protocol Chart: Sendable {
    /// The output size in pixels (points in SVG and PDF, where 1 pt is drawn as 1 px).
    var canvasSize: (width: Int, height: Int) { get }

    /// Draws the whole chart; throws a `PlotError` naming the field when the data cannot be drawn.
    func draw(on canvas: Canvas) throws
}

extension Chart {
    /// Writes the chart to `path` as PNG, SVG or PDF (from the extension unless `format` is given)
    /// and returns what was drawn.
    @discardableResult
    public func save(to path: String, format: OutputFormat? = nil) throws -> ChartLayout {
        let format = try format ?? OutputFormat(path: path)
        let (bytes, layout) = try Canvas.render(width: canvasSize.width, height: canvasSize.height,
                                                format: format, draw: draw(on:))
        try Canvas.write(bytes, to: path)
        return layout
    }

    /// Writes the chart to a file URL; see `save(to:format:)`.
    @discardableResult
    public func save(to url: URL, format: OutputFormat? = nil) throws -> ChartLayout {
        try save(to: url.path, format: format)
    }

    /// The bytes of the chart encoded as `format`, without touching the file system.
    public func render(as format: OutputFormat) throws -> [UInt8] {
        try Canvas.render(width: canvasSize.width, height: canvasSize.height,
                          format: format, draw: draw(on:)).bytes
    }

    /// What the chart would draw (series, bars, labels, …), computed without encoding a file.
    public func layout() throws -> ChartLayout {
        try Canvas.render(width: canvasSize.width, height: canvasSize.height,
                          format: nil, draw: draw(on:)).layout
    }
}
