import Foundation

/// A user's own images: a folder with one subfolder per class (or person), each holding image files.
///
/// PGM/PPM (`P2`, `P3`, `P5`, `P6`), PNG and JPEG files are read, each recognised by its first bytes; other
/// files (a README, SHA256SUMS) are ignored. Classes are the subfolders' names in natural order (`s2` before
/// `s10`); files are taken in natural order too, so loading is deterministic.
///
/// ```swift
/// // orl-faces/s1/1.pgm … orl-faces/s40/10.pgm: 40 people, 10 photos each, 112×92.
/// let faces = try ImageFolderDataset.loadFolder(from: URL(fileURLWithPath: "orl-faces"), size: (56, 46))
/// print(faces.dataset.count, faces.files[0].lastPathComponent)   // 400 1.pgm
/// ```
public enum ImageFolderDataset {
    /// Loads every image under `folder/<class>/` as grey `(N, 1, H, W)` or, with `color`, RGB `(N, 3, H, W)`.
    ///
    /// Transparent PNG pixels come out as if drawn over black. A folder without class subfolders, a class
    /// folder without image files, and a corrupt, truncated or empty image are refused naming the culprit.
    ///
    /// - Parameters:
    ///   - folder: the folder with one subfolder of image files per class.
    ///   - color: load RGB `(N, 3, H, W)` instead of grey `(N, 1, H, W)`.
    ///   - size: resize every image to this `(height, width)` (area averaging when shrinking, bilinear when
    ///     enlarging); when nil, every image must have the first one's size and another size is refused.
    ///   - name: the dataset's name (default: the folder's name).
    public static func loadFolder(from folder: URL, color: Bool = false, size: (height: Int, width: Int)? = nil,
                                  name: String? = nil) throws -> LoadedImageFolder {
        try checkSize(size)
        let classes = try classFolders(of: folder)
        let fileCount = classes.reduce(0) { $0 + $1.files.count }
        var pixels: [UInt8] = []
        var labels: [Int] = []
        var files: [URL] = []
        var first: (height: Int, width: Int, file: String)?
        for (label, entry) in classes.enumerated() {
            for file in entry.files {
                var image = try decodeFile(file, color: color)
                if let size {
                    image.pixels = ImageResize.resize(image.pixels, channels: image.channels,
                                                      from: (image.height, image.width), to: size)
                    (image.height, image.width) = size
                } else if let first, first.height != image.height || first.width != image.width {
                    throw DataError.badImage(file: file.path, reason: "is \(image.width)×\(image.height) pixels (W×H)"
                        + " but \(first.file) is \(first.width)×\(first.height); all images must have one size"
                        + " (or give a size to resize them to)")
                }
                first = first ?? (image.height, image.width, file.path)
                if pixels.isEmpty { pixels.reserveCapacity(image.pixels.count * fileCount) }
                pixels += image.pixels
                labels.append(label)
                files.append(file)
            }
        }
        let shape = first!   // classFolders(of:) guarantees at least one image
        let dataset = Dataset(uncheckedName: name ?? folder.lastPathComponent, images: pixels, labels: labels,
                              channels: color ? 3 : 1, height: shape.height, width: shape.width,
                              classNames: classes.map(\.folder.lastPathComponent))
        return LoadedImageFolder(dataset: dataset, files: files)
    }

    /// Loads an image folder as `loadFolder` does, keeping only the dataset.
    public static func load(from folder: URL, color: Bool = false, size: (height: Int, width: Int)? = nil,
                            name: String? = nil) throws -> Dataset {
        try loadFolder(from: folder, color: color, size: size, name: name).dataset
    }

    /// Decodes loose image files (query photos not in class folders) into planes `(N, C, H, W)`, in order.
    ///
    /// Each image is resized to `size` when given; when nil, all must have the first one's size.
    public static func loadImages(_ urls: [URL], color: Bool = false, size: (height: Int, width: Int)?) throws -> [UInt8] {
        try checkSize(size)
        var pixels: [UInt8] = []
        var first: (height: Int, width: Int, file: String)?
        for url in urls {
            var image = try decodeFile(url, color: color)
            if let size {
                image.pixels = ImageResize.resize(image.pixels, channels: image.channels,
                                                  from: (image.height, image.width), to: size)
            } else if let first, first.height != image.height || first.width != image.width {
                throw DataError.badImage(file: url.path, reason: "is \(image.width)×\(image.height) pixels (W×H) but"
                    + " \(first.file) is \(first.width)×\(first.height); give a size to resize them to")
            }
            first = first ?? (image.height, image.width, url.path)
            pixels += image.pixels
        }
        return pixels
    }

    /// Whether `folder` looks like an image folder: some subfolder of it holds a file named like an image.
    public static func looksLikeImageFolder(_ folder: URL) -> Bool {
        guard let entries = try? sortedEntries(of: folder) else { return false }
        return entries.contains { entry in
            isFolder(entry) && ((try? sortedEntries(of: entry))?.contains { isImageFile($0) } ?? false)
        }
    }

    /// The class subfolders of `folder` in natural order, each with its image files in natural order.
    ///
    /// Throws `DataError.emptyFolder` when there are no class subfolders, or naming every class folder that
    /// holds no image file.
    static func classFolders(of folder: URL) throws -> [(folder: URL, files: [URL])] {
        let subfolders = try sortedEntries(of: folder).filter { isFolder($0) }
        guard !subfolders.isEmpty else {
            throw DataError.emptyFolder(folder: folder.path, reason: "no class subfolders (expected <folder>/<class>/"
                + "<images>, e.g. s1/1.pgm)")
        }
        let classes = try subfolders.map { ($0, try sortedEntries(of: $0).filter { isImageFile($0) }) }
        let empty = classes.filter { $0.1.isEmpty }.map(\.0)
        if let firstEmpty = empty.first {
            let others = empty.dropFirst().map(\.lastPathComponent)
            throw DataError.emptyFolder(folder: firstEmpty.path, reason: "class folder holds no image files"
                + " (.\(ImageFileFormat.fileExtensions.sorted().joined(separator: ", ."))); every class needs at least one"
                + (others.isEmpty ? "" : "; also empty: \(others.joined(separator: ", "))"))
        }
        return classes
    }

    private static func checkSize(_ size: (height: Int, width: Int)?) throws {
        if let size, size.height < 1 || size.width < 1 {
            throw DataError.invalidRequest(reason: "image size must be at least 1×1, got \(size.height)×\(size.width) (H×W)")
        }
    }

    private static func isImageFile(_ url: URL) -> Bool {
        ImageFileFormat.hasImageExtension(url) && !isFolder(url)
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
