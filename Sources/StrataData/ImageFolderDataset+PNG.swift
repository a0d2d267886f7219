import CCairo
import Foundation

/// PNG reading and writing through cairo (libpng underneath).
extension ImageFolderDataset {
    /// Decodes one PNG into planes `(C, H, W)` with C = 1 (luma) or 3 (RGB).
    ///
    /// A header claiming more than 32767 pixels a side, or more pixels than the file's compressed data can hold,
    /// is refused before cairo allocates anything.
    public static func decodePNG(_ url: URL, color: Bool = false) throws -> (pixels: [UInt8], height: Int, width: Int) {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: url))
        } catch {
            throw DataError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try decodePNG(url, bytes: bytes, color: color)
    }

    /// Decodes the PNG at `url`, whose content is `bytes`, after checking its header's sizes.
    static func decodePNG(_ url: URL, bytes: [UInt8], color: Bool) throws -> (pixels: [UInt8], height: Int, width: Int) {
        _ = try PNGHeader(bytes, file: url.path)
        guard let loaded = cairo_image_surface_create_from_png(url.path) else {
            throw DataError.badImage(file: url.path, reason: "cairo returned no surface")
        }
        defer { cairo_surface_destroy(loaded) }
        let status = cairo_surface_status(loaded)
        guard status == CAIRO_STATUS_SUCCESS else {
            let reason = String(cString: cairo_status_to_string(status))
            throw DataError.badImage(file: url.path, reason: "not a readable PNG (cairo: \(reason))")
        }
        let width = Int(cairo_image_surface_get_width(loaded))
        let height = Int(cairo_image_surface_get_height(loaded))
        // Read 32-bit pixels directly; any other format is first drawn onto a black RGB24 surface.
        var surface = loaded
        let format = cairo_image_surface_get_format(loaded)
        if format != CAIRO_FORMAT_ARGB32 && format != CAIRO_FORMAT_RGB24 {
            surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height))
            let context = cairo_create(surface)
            cairo_set_source_surface(context, loaded, 0, 0)
            cairo_paint(context)
            cairo_destroy(context)
            cairo_surface_flush(surface)
        }
        defer { if surface != loaded { cairo_surface_destroy(surface) } }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface) else {
            throw DataError.badImage(file: url.path, reason: "cairo gave no pixel data")
        }
        let plane = height * width
        var pixels = [UInt8](repeating: 0, count: (color ? 3 : 1) * plane)
        for y in 0..<height {
            let row = UnsafeRawPointer(data + y * stride)
            for x in 0..<width {
                // Native-endian 0xAARRGGBB, colour premultiplied by alpha (= composited over black).
                let argb = row.loadUnaligned(fromByteOffset: 4 * x, as: UInt32.self)
                let r = Int((argb >> 16) & 0xFF), g = Int((argb >> 8) & 0xFF), b = Int(argb & 0xFF)
                if color {
                    pixels[y * width + x] = UInt8(r)
                    pixels[plane + y * width + x] = UInt8(g)
                    pixels[2 * plane + y * width + x] = UInt8(b)
                } else {
                    pixels[y * width + x] = UInt8((299 * r + 587 * g + 114 * b + 500) / 1000)
                }
            }
        }
        return (pixels, height, width)
    }

    /// Writes planes `(C, H, W)`, C = 1 or 3, as an RGB PNG through cairo.
    public static func writePNG(_ pixels: ArraySlice<UInt8>, channels: Int, height: Int, width: Int, to url: URL) throws {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height))
        defer { cairo_surface_destroy(surface) }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = UnsafeMutableRawPointer(cairo_image_surface_get_data(surface)!)
        let plane = height * width
        let start = pixels.startIndex
        for y in 0..<height {
            for x in 0..<width {
                let at = start + y * width + x
                let r = UInt32(pixels[at])
                let g = channels == 3 ? UInt32(pixels[at + plane]) : r
                let b = channels == 3 ? UInt32(pixels[at + 2 * plane]) : r
                data.storeBytes(of: 0xFF00_0000 | r << 16 | g << 8 | b, toByteOffset: y * stride + 4 * x, as: UInt32.self)
            }
        }
        cairo_surface_mark_dirty(surface)
        // Encoded in memory, then written whole (a killed export leaves no half PNG).
        let sink = PNGBytes()
        let status = withExtendedLifetime(sink) {
            cairo_surface_write_to_png_stream(surface, { closure, data, length in
                let sink = Unmanaged<PNGBytes>.fromOpaque(closure!).takeUnretainedValue()
                if let data { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length))) }
                return CAIRO_STATUS_SUCCESS
            }, Unmanaged.passUnretained(sink).toOpaque())
        }
        guard status == CAIRO_STATUS_SUCCESS else {
            throw DataError.badImage(file: url.path, reason: "cannot encode PNG (cairo: \(String(cString: cairo_status_to_string(status))))")
        }
        do {
            try AtomicFile.write(Data(sink.bytes), to: url)
        } catch let error as AtomicFile.WriteError {
            throw DataError.badImage(file: url.path, reason: "cannot write PNG: \(error.reason)")
        }
    }
}

/// The bytes cairo encodes for a PNG.
private final class PNGBytes {
    var bytes: [UInt8] = []
}
