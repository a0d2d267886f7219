import Foundation

/// A grid of grayscale images, each with an optional caption: dataset samples, misclassified
/// digits, the members of a cluster. Small images are enlarged with sharp square pixels; the
/// output size follows from the images, the captions and `columns`.
///
///     var grid = ImageGrid(title: "Misclassified", columns: 8)
///     grid.add(image: pixels, width: 28, height: 28, caption: "true 7 / pred 1")
///     try grid.save(to: "errors.png")
public struct ImageGrid: Chart {
    /// One image and its caption.
    public struct Cell: Sendable, Equatable {
        /// Row-major gray levels, 0 = black, 255 = white.
        public var pixels: [UInt8]
        /// Image width in pixels.
        public var width: Int
        /// Image height in pixels.
        public var height: Int
        /// The text under the image, or nil.
        public var caption: String?
        /// The caption's colour, or nil for the normal text colour (e.g. red for a mistake).
        public var captionColor: Color?
    }

    /// The title above the grid, or nil.
    public var title: String?
    /// The most images per row.
    public var columns: Int
    /// How many screen pixels each image pixel becomes, or nil to enlarge images to about 84 px.
    public var scale: Int?
    /// Whether a thin light frame is drawn around each image.
    public var showsFrames = true
    /// The images added so far, row by row.
    public private(set) var cells: [Cell] = []

    private static let padding = 16.0
    private static let gap = 12.0
    private static let captionSize = 13.0
    private static let titleSize = 16.0

    /// An empty grid with at most `columns` images per row.
    public init(title: String? = nil, columns: Int = 8) {
        self.title = title
        self.columns = columns
    }

    /// Adds an image of gray levels 0…255 (`width × height` values, row by row).
    public mutating func add(image pixels: [UInt8], width: Int, height: Int, caption: String? = nil,
                             captionColor: Color? = nil) {
        cells.append(Cell(pixels: pixels, width: width, height: height, caption: caption, captionColor: captionColor))
    }

    /// Adds an image of intensities in 0…1 (clamped; NaN is black).
    public mutating func add<T: BinaryFloatingPoint>(image pixels: [T], width: Int, height: Int,
                                                     caption: String? = nil, captionColor: Color? = nil) {
        let bytes = pixels.map { v -> UInt8 in v.isNaN ? 0 : UInt8((min(1, max(0, Double(v))) * 255).rounded()) }
        add(image: bytes, width: width, height: height, caption: caption, captionColor: captionColor)
    }

    /// The size the grid needs: every cell as wide as its widest image or caption.
    public var canvasSize: (width: Int, height: Int) {
        let m = metrics()
        let width = 2 * Self.padding + Double(m.columns) * m.cellWidth + Double(m.columns - 1) * Self.gap
        let height = 2 * Self.padding + m.titleHeight + Double(m.rows) * m.cellHeight + Double(m.rows - 1) * Self.gap
        return (Int(max(width, m.titleWidth + 2 * Self.padding).rounded(.up)), Int(height.rounded(.up)))
    }

    /// Draws the title, images and captions; throws when the grid is empty, `columns` < 1, or an
    /// image's pixel count is not `width × height`.
    public func draw(on canvas: Canvas) throws {
        try validate()
        let m = metrics()
        let gridWidth = Double(m.columns) * m.cellWidth + Double(m.columns - 1) * Self.gap
        let left = ((Double(canvas.width) - gridWidth) / 2).rounded()
        if let title, !title.isEmpty {
            canvas.text(title, at: Canvas.Point(x: Double(canvas.width) / 2, y: Self.padding),
                        size: Self.titleSize, bold: true, align: .center, verticalAlign: .top)
            canvas.layout.title = title
        }
        for (i, cell) in cells.enumerated() {
            let (row, column) = (i / m.columns, i % m.columns)
            let x = left + Double(column) * (m.cellWidth + Self.gap)
            let y = Self.padding + m.titleHeight + Double(row) * (m.cellHeight + Self.gap)
            let size = (Double(cell.width * m.scale), Double(cell.height * m.scale))
            let origin = Canvas.Point(x: (x + (m.cellWidth - size.0) / 2).rounded(),
                                      y: (y + (m.imageHeight - size.1) / 2).rounded())
            canvas.drawGrayImage(cell.pixels, width: cell.width, height: cell.height, at: origin, scale: m.scale)
            let frame = Canvas.Rect(x: origin.x, y: origin.y, width: size.0, height: size.1)
            if showsFrames { canvas.stroke(frame.insetBy(-1), color: Color(hex: 0xbbbbbb)) }
            canvas.layout.images.append(frame)
            if let caption = cell.caption, !caption.isEmpty {
                canvas.text(caption, at: Canvas.Point(x: x + m.cellWidth / 2, y: y + m.imageHeight + 6),
                            size: Self.captionSize, color: cell.captionColor ?? .text,
                            align: .center, verticalAlign: .top)
                canvas.layout.captions.append(caption)
            }
        }
    }

    /// Sizes derived from the images and captions.
    private struct Metrics {
        var columns: Int, rows: Int, scale: Int
        var imageHeight: Double, cellWidth: Double, cellHeight: Double
        var titleHeight: Double, titleWidth: Double
    }

    private func metrics() -> Metrics {
        let count = max(1, cells.count)
        let columns = max(1, min(self.columns, count))
        let rows = (count + columns - 1) / columns
        let largest = max(1, cells.map { max($0.width, $0.height) }.max() ?? 28)
        let scale = max(1, scale ?? Int((84.0 / Double(largest)).rounded()))
        let imageWidth = Double((cells.map(\.width).max() ?? 28) * scale)
        let imageHeight = Double((cells.map(\.height).max() ?? 28) * scale)
        let captions = cells.compactMap(\.caption).filter { !$0.isEmpty }
        let (captionWidth, titleWidth) = Canvas.measuring { canvas in
            (captions.map { canvas.textWidth($0, size: Self.captionSize) }.max() ?? 0,
             canvas.textWidth(title ?? "", size: Self.titleSize, bold: true))
        }
        let hasTitle = !(title ?? "").isEmpty
        return Metrics(columns: columns, rows: rows, scale: scale, imageHeight: imageHeight,
                       cellWidth: max(imageWidth, captionWidth + 6).rounded(.up),
                       cellHeight: imageHeight + (captions.isEmpty ? 0 : 6 + Canvas.lineHeight(Self.captionSize)),
                       titleHeight: hasTitle ? Canvas.lineHeight(Self.titleSize) + 12 : 0,
                       titleWidth: titleWidth)
    }

    private func validate() throws {
        let name = PlotError.chartName("ImageGrid", title)
        guard !cells.isEmpty else {
            throw PlotError.emptyChart(chart: name, hint: "add images with add(image:width:height:) before saving")
        }
        guard columns >= 1 else {
            throw PlotError.invalidValue(field: "\(name) columns", detail: "\(columns) must be at least 1")
        }
        for (i, cell) in cells.enumerated() {
            let field = "\(name) image \(i)" + (cell.caption.map { " ('\($0)')" } ?? "")
            guard cell.width > 0, cell.height > 0 else {
                throw PlotError.invalidValue(field: field, detail: "size \(cell.width)×\(cell.height) must be positive")
            }
            guard cell.pixels.count == cell.width * cell.height else {
                throw PlotError.mismatchedLengths(
                    field: field,
                    detail: "\(cell.pixels.count) pixels but width × height = \(cell.width)×\(cell.height) = \(cell.width * cell.height)")
            }
        }
    }
}
