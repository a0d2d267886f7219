import CCairo
import Foundation

/// A user's own images: a folder with one subfolder per class, each holding PNG files.
///
/// PNG decoding is done by cairo's PNG reader (libpng underneath). Classes are the subfolders' names in
/// natural order (`2` before `10`); files are taken in natural order too, so loading is deterministic.
///
/// ```swift
/// // pets/cat/001.png, pets/cat/002.png, pets/dog/001.png, …
/// let pets = try ImageFolderDataset.load(from: URL(fileURLWithPath: "pets"), color: true)
/// ```
public enum ImageFolderDataset {
    /// Loads every `.png` under `folder/<class>/`, as grayscale `(N, 1, H, W)` or, with `color`, RGB `(N, 3, H, W)`.
    ///
    /// Transparent pixels come out as if drawn over black. Every image must have the size of the first;
    /// a file that is not a PNG or has another size is refused with an error naming it.
    public static func load(from folder: URL, color: Bool = false, name: String? = nil) throws -> Dataset {
        let classFolders = try sortedEntries(of: folder).filter { isFolder($0) }
        guard !classFolders.isEmpty else {
            throw DataError.emptyFolder(folder: folder.path, reason: "no class subfolders (expected <folder>/<class>/*.png)")
        }
        let channels = color ? 3 : 1
        var pixels: [UInt8] = []
        var labels: [Int] = []
        var size: (height: Int, width: Int, file: String)?
        for (label, classFolder) in classFolders.enumerated() {
            let files = try sortedEntries(of: classFolder).filter { $0.pathExtension.lowercased() == "png" }
            for file in files {
                let image = try decodePNG(file, color: color)
                if let size, size.height != image.height || size.width != image.width {
                    throw DataError.badImage(file: file.path, reason: "is \(image.width)×\(image.height) pixels but"
                        + " \(size.file) is \(size.width)×\(size.height); all images must have one size")
                }
                size = size ?? (image.height, image.width, file.path)
                pixels += image.pixels
                labels.append(label)
            }
        }
        guard let size else {
            throw DataError.emptyFolder(folder: folder.path, reason: "no .png files in any class subfolder")
        }
        return Dataset(uncheckedName: name ?? folder.lastPathComponent, images: pixels, labels: labels,
                       channels: channels, height: size.height, width: size.width,
                       classNames: classFolders.map(\.lastPathComponent))
    }

    /// Decodes one PNG into planes `(C, H, W)` with C = 1 (luma) or 3 (RGB).
    public static func decodePNG(_ url: URL, color: Bool = false) throws -> (pixels: [UInt8], height: Int, width: Int) {
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

    /// Writes `dataset` as `folder/<class name>/<index>.png` (a `/` in a class name becomes `_`).
    ///
    /// Classes are read back in natural order of their names, so a dataset whose class names are not in that
    /// order comes back with its class indices permuted.
    public static func write(_ dataset: Dataset, to folder: URL) throws {
        precondition(dataset.channels == 1 || dataset.channels == 3,
                     "ImageFolderDataset.write: 1 or 3 channels, got \(dataset.channels)")
        let classFolders = dataset.classNames.map {
            folder.appendingPathComponent($0.replacingOccurrences(of: "/", with: "_"))
        }
        for classFolder in classFolders {
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
        }
        let digits = String(max(dataset.count - 1, 0)).count
        for index in 0..<dataset.count {
            let number = String(index)
            let fileName = String(repeating: "0", count: digits - number.count) + number + ".png"
            try writePNG(dataset.image(at: index), channels: dataset.channels, height: dataset.height,
                         width: dataset.width, to: classFolders[dataset.labels[index]].appendingPathComponent(fileName))
        }
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
        let status = cairo_surface_write_to_png(surface, url.path)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw DataError.badImage(file: url.path, reason: "cannot write PNG (cairo: \(String(cString: cairo_status_to_string(status))))")
        }
    }

    private static func sortedEntries(of folder: URL) throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw DataError.unreadable(file: folder.path, reason: "cannot list the folder")
        }
        return names.filter { !$0.hasPrefix(".") }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            .map { folder.appendingPathComponent($0) }
    }

    private static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
