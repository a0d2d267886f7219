import Foundation

/// What an image folder holds: classes, images per class, image sizes and file formats; the library side of
/// `strata data info orl-faces` and `strata data info <folder>`.
///
/// Every image is decoded, so a corrupt file is reported here as it would be when loading.
///
/// ```swift
/// print(try ImageFolderInfo(folder: URL(fileURLWithPath: "orl-faces"), dataset: .orlFaces).report())
/// ```
public struct ImageFolderInfo: Sendable {
    /// The folder's name (or the known dataset's).
    public let name: String
    /// Where the images were found.
    public let folder: URL
    /// The known dataset the folder holds, if any (for its credit and nouns).
    public let dataset: BuiltinImageFolder?
    /// The class subfolders' names, in natural order.
    public let classNames: [String]
    /// The number of images in each class, by class index.
    public let classCounts: [Int]
    /// Each distinct image size `(height, width)` with how many images have it, most common first.
    public let sizes: [(height: Int, width: Int, count: Int)]
    /// Each file format found with how many images use it, most common first.
    public let formats: [(format: ImageFileFormat, count: Int)]

    /// Scans `folder` (class subfolders of images), decoding every image.
    public init(folder: URL, dataset: BuiltinImageFolder? = nil) throws {
        let classes = try ImageFolderDataset.classFolders(of: folder)
        var sizeCounts: [String: (height: Int, width: Int, count: Int)] = [:]
        var formatCounts: [ImageFileFormat: Int] = [:]
        for file in classes.flatMap(\.files) {
            let image = try ImageFolderDataset.decodeFile(file, color: false)
            sizeCounts["\(image.height)x\(image.width)", default: (image.height, image.width, 0)].count += 1
            formatCounts[image.format, default: 0] += 1
        }
        self.name = dataset?.rawValue ?? folder.lastPathComponent
        self.folder = folder
        self.dataset = dataset
        classNames = classes.map(\.folder.lastPathComponent)
        classCounts = classes.map(\.files.count)
        sizes = sizeCounts.values.sorted { ($0.count, $0.height, $0.width) > ($1.count, $1.height, $1.width) }
        formats = formatCounts.map { ($0.key, $0.value) }
            .sorted { ($0.count, $0.format.rawValue) > ($1.count, $1.format.rawValue) }
    }

    /// The total number of images.
    public var imageCount: Int { classCounts.reduce(0, +) }

    /// A summary for the terminal: counts, sizes, formats, a per-class list and the dataset's credit.
    ///
    /// ```
    /// orl-faces (/data/orl-faces)
    /// people: 40
    /// photos: 400 in all; per person: min 10, max 10
    /// image size: 112×92 (height×width), all 400
    /// formats: PGM 400
    /// per person:
    ///   s1 10   s2 10   s3 10   …
    /// The ORL Database of Faces: …
    /// ```
    public func report() -> String {
        let classNoun = dataset?.classNoun ?? "classes"
        let imageNoun = dataset?.imageNoun ?? "images"
        let perClass = dataset == nil ? "per class" : "per \(classNoun == "people" ? "person" : classNoun)"
        let low = classCounts.min() ?? 0, high = classCounts.max() ?? 0
        var lines = ["\(name) (\(folder.path))", "\(classNoun): \(DatasetInfo.grouped(classNames.count))"]
        lines.append("\(imageNoun): \(DatasetInfo.grouped(imageCount)) in all; \(perClass): min \(low), max \(high)")
        if sizes.count == 1 {
            lines.append("image size: \(sizes[0].height)×\(sizes[0].width) (height×width), all \(DatasetInfo.grouped(imageCount))")
        } else {
            let list = sizes.map { "\($0.height)×\($0.width) (\(DatasetInfo.grouped($0.count)))" }.joined(separator: ", ")
            lines.append("image sizes (height×width): \(list); load with a size to resize them to one")
        }
        lines.append("formats: " + formats.map { "\($0.format) \(DatasetInfo.grouped($0.count))" }.joined(separator: ", "))
        lines.append("\(perClass):")
        lines += classList()
        if let dataset { lines.append(dataset.credit) }
        return lines.joined(separator: "\n")
    }

    /// `name count` entries, eight to a line; past 80 classes, the first 80 and a count of the rest.
    private func classList() -> [String] {
        let shown = min(classNames.count, 80)
        let entries = (0..<shown).map { "\(classNames[$0]) \(DatasetInfo.grouped(classCounts[$0]))" }
        let width = (entries.map(\.count).max() ?? 0) + 3
        var lines = stride(from: 0, to: shown, by: 8).map { start in
            "  " + entries[start..<min(start + 8, shown)].map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }
                .joined().trimmingCharacters(in: .whitespaces)
        }
        if shown < classNames.count { lines.append("  … and \(classNames.count - shown) more") }
        return lines
    }
}
