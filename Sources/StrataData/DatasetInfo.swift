import Foundation

/// Counts, image shape and per-class counts of a dataset's parts: the library side of `strata data info <name>`.
///
/// ```swift
/// print(try DatasetInfo(.fashionMNIST).report())
/// ```
public struct DatasetInfo: Sendable {
    /// The dataset's name.
    public let name: String
    /// Where the files were found (nil for a dataset built in memory).
    public let folder: URL?
    /// The class names, by index.
    public let classNames: [String]
    /// The shape of one image, `[C, H, W]`.
    public let imageShape: [Int]
    /// Each part's name (`training`, `test`) with its image count and per-class counts.
    public let parts: [(name: String, count: Int, classCounts: [Int])]

    /// Reads both parts of a built-in dataset from the first place `locator` finds it.
    public init(_ dataset: BuiltinDataset, locator: DatasetLocator = DatasetLocator()) throws {
        let folder = try locator.locate(dataset)
        let training = try Dataset.builtin(dataset, part: .training, locator: locator)
        let test = try Dataset.builtin(dataset, part: .test, locator: locator)
        self.init(name: dataset.rawValue, folder: folder, parts: [("training", training), ("test", test)])
    }

    /// Describes datasets already in memory, e.g. a user's folder of images split in two.
    public init(name: String, folder: URL? = nil, parts: [(name: String, dataset: Dataset)]) {
        precondition(!parts.isEmpty, "DatasetInfo: at least one part is needed")
        self.name = name
        self.folder = folder
        classNames = parts[0].dataset.classNames
        imageShape = parts[0].dataset.imageShape
        self.parts = parts.map { ($0.name, $0.dataset.count, $0.dataset.classCounts()) }
    }

    /// A table for the terminal: counts, image shape, and one row per class with its count in each part.
    ///
    /// ```
    /// fashion-mnist (/usr/share/datasets/fashion-mnist)
    /// images: 28×28, 1 channel, UInt8; 10 classes
    /// training: 60,000 images
    /// test: 10,000 images
    ///
    /// class            training      test
    /// 0 T-shirt/top       6,000     1,000
    /// …
    /// ```
    public func report() -> String {
        var lines: [String] = []
        lines.append(name + (folder.map { " (\($0.path))" } ?? ""))
        let channelWord = imageShape[0] == 1 ? "channel" : "channels"
        lines.append("images: \(imageShape[1])×\(imageShape[2]), \(imageShape[0]) \(channelWord), UInt8;"
            + " \(classNames.count) classes")
        for part in parts {
            lines.append("\(part.name): \(DatasetInfo.grouped(part.count)) images")
        }
        lines.append("")
        let labels = classNames.enumerated().map { "\($0.offset) \($0.element)" }
        let labelWidth = max(5, labels.map(\.count).max() ?? 0)
        let columnWidths = parts.map { max($0.name.count, DatasetInfo.grouped($0.count).count) + 2 }
        var header = "class".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
        for (part, width) in zip(parts, columnWidths) { header += DatasetInfo.rightAligned(part.name, width) }
        lines.append(header)
        for (index, label) in labels.enumerated() {
            var row = label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            for (part, width) in zip(parts, columnWidths) {
                row += DatasetInfo.rightAligned(DatasetInfo.grouped(part.classCounts[index]), width)
            }
            lines.append(row)
        }
        return lines.joined(separator: "\n")
    }

    /// `60000` written `60,000`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }

    private static func rightAligned(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
