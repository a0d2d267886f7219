import Foundation

/// The file format a chart is written in; every format comes from the same drawing code.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// A raster image (8-bit RGBA), sized in pixels.
    case png
    /// A vector image; text is drawn as glyph outlines, sizes are in points (1 pt = 1 px here).
    case svg
    /// A single-page vector PDF, sized in points.
    case pdf

    /// The format named by a path's extension (case-insensitive), e.g. `"runs/loss.svg"` → `.svg`.
    public init(path: String) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let format = OutputFormat(rawValue: ext) else { throw PlotError.unknownFormat(path: path) }
        self = format
    }
}
