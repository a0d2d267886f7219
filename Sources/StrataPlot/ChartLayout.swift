/// A description of what a chart drew, for tests and for callers that place charts in reports.
///
///     let layout = try chart.save(to: "counts.png")
///     layout.bars.count    // 10
///     layout.xTicks        // ["T-shirt/top", "Trouser", …]
public struct ChartLayout: Sendable, Equatable {
    /// Canvas width in pixels.
    public var width: Int
    /// Canvas height in pixels.
    public var height: Int
    /// The title drawn at the top, if any.
    public var title: String?
    /// The rectangle that holds the data (inside the axes).
    public var plotArea: Canvas.Rect?
    /// Names of the series (lines) or categories (strips) drawn, in order.
    public var series: [String] = []
    /// Legend entries drawn, in order.
    public var legend: [String] = []
    /// The legend's box, or nil when no legend was drawn.
    public var legendArea: Canvas.Rect?
    /// Labels of the horizontal axis ticks, in order.
    public var xTicks: [String] = []
    /// Labels of the vertical axis ticks, bottom to top (top to bottom for categories).
    public var yTicks: [String] = []
    /// Labels of the colour bar ticks (heatmaps), bottom to top.
    public var colorBarTicks: [String] = []
    /// One rectangle per bar, in order.
    public var bars: [Canvas.Rect] = []
    /// One rectangle per heatmap cell, row by row.
    public var cells: [Canvas.Rect] = []
    /// One rectangle per image in an image grid, in order.
    public var images: [Canvas.Rect] = []
    /// Values written on bars or in cells, in drawing order.
    public var valueLabels: [String] = []
    /// Image captions, in order.
    public var captions: [String] = []
    /// Number of markers or dots drawn.
    public var points: Int = 0
    /// Every line of text drawn, in drawing order.
    public var texts: [String] = []

    /// An empty description for a canvas of the given size.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}
