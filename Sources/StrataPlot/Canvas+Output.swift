import CCairo
import Foundation
import StrataFiles

/// Collects the bytes cairo writes for a PNG, SVG or PDF stream.
private final class ByteSink {
    var bytes: [UInt8] = []
}

/// cairo's write callback: appends each chunk to the `ByteSink` passed as the closure pointer.
private let appendToSink: cairo_write_func_t = { closure, data, length in
    guard let closure else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
    if let data, length > 0 {
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
    }
    return CAIRO_STATUS_SUCCESS
}

extension Canvas {
    /// Creates the surface for `format` (an in-memory image when nil), lets `draw` fill a white
    /// canvas, and returns the encoded file bytes (empty when nil) with what was drawn.
    static func render(width: Int, height: Int, format: OutputFormat?,
                       draw: (Canvas) throws -> Void) throws -> (bytes: [UInt8], layout: ChartLayout) {
        guard (1...32_767).contains(width), (1...32_767).contains(height) else {
            throw PlotError.invalidValue(field: "canvas size",
                                         detail: "\(width)×\(height) is outside 1…32767 pixels")
        }
        let sink = ByteSink()
        // Declared first so it runs last: cairo may still write into the sink while the surface
        // is destroyed (also when drawing throws).
        defer { withExtendedLifetime(sink) {} }
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        let surface: OpaquePointer?
        switch format {
        case .png?, nil:
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))
        case .svg?:
            surface = cairo_svg_surface_create_for_stream(appendToSink, closure, Double(width), Double(height))
        case .pdf?:
            surface = cairo_pdf_surface_create_for_stream(appendToSink, closure, Double(width), Double(height))
        }
        guard let surface else { throw PlotError.drawingFailed("no surface") }
        defer { cairo_surface_destroy(surface) }
        try check(cairo_surface_status(surface))
        if format == .svg {
            cairo_svg_surface_restrict_to_version(surface, CAIRO_SVG_VERSION_1_1)
            cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX)
        }

        guard let context = cairo_create(surface) else { throw PlotError.drawingFailed("no context") }
        defer { cairo_destroy(context) }
        let canvas = Canvas(context: context, width: width, height: height)
        canvas.fill(canvas.bounds, color: .white)
        try draw(canvas)
        try check(cairo_status(context))

        if format == .png {
            cairo_surface_flush(surface)
            try check(cairo_surface_write_to_png_stream(surface, appendToSink, closure))
        } else {
            cairo_surface_finish(surface)
            try check(cairo_surface_status(surface))
        }
        return (sink.bytes, canvas.layout)
    }

    /// Runs `body` on a small scratch canvas, for measuring text before the real size is known.
    static func measuring<T>(_ body: (Canvas) throws -> T) rethrows -> T {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)
        defer { cairo_surface_destroy(surface) }
        let context = cairo_create(surface)!
        defer { cairo_destroy(context) }
        return try body(Canvas(context: context, width: 1, height: 1))
    }

    /// Writes `bytes` to `path`, turning every failure into a `PlotError.cannotWrite` that says why.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !folder.isEmpty {
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
                throw PlotError.cannotWrite(path: path, reason: "folder '\(folder)' does not exist")
            }
            guard isDirectory.boolValue else {
                throw PlotError.cannotWrite(path: path, reason: "'\(folder)' is not a folder")
            }
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw PlotError.cannotWrite(path: path, reason: "a folder with that name exists")
        }
        do {
            try AtomicFile.write(Data(bytes), to: URL(fileURLWithPath: path))
        } catch let error as AtomicFile.WriteError {
            throw PlotError.cannotWrite(path: path, reason: error.reason)
        }
    }

    /// Throws `PlotError.drawingFailed` with cairo's own message unless `status` is success.
    private static func check(_ status: cairo_status_t) throws {
        guard status != CAIRO_STATUS_SUCCESS else { return }
        throw PlotError.drawingFailed(String(cString: cairo_status_to_string(status)))
    }
}
