import Foundation

/// A user's own images as CSV: one image per line, the label first, then the pixels (0–255) in row-major order.
///
/// This is the layout of the widely shared `mnist_train.csv`: an optional header line (detected when its
/// first field is not a number), then `label,p0,p1,…`. A `.csv.gz` file is inflated as it is read.
///
/// ```swift
/// let digits = try CSVDataset.load(from: URL(fileURLWithPath: "mnist_train.csv"))   // 28×28 inferred
/// ```
public enum CSVDataset {
    /// Loads `url`; the image shape is `(channels, height, width)`, inferred as a square when not given.
    ///
    /// Classes are `classNames`, or `0`, `1`, … up to the largest label (which must be below
    /// `Dataset.maximumInferredClassCount`). Bad lines are refused with an error
    /// naming the file, the line and the problem.
    public static func load(from url: URL, channels: Int = 1, height: Int? = nil, width: Int? = nil,
                            classNames: [String]? = nil, name: String? = nil) throws -> Dataset {
        let bytes = try ByteStreams.readAll(url)
        var pixels: [UInt8] = []
        var labels: [Int] = []
        var pixelsPerLine: Int?
        var lineNumber = 0
        var values: [Int] = []
        try bytes.withUnsafeBufferPointer { buffer in
            var lineStart = 0
            while lineStart < buffer.count {
                var lineEnd = lineStart
                while lineEnd < buffer.count && buffer[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                lineNumber += 1
                var contentEnd = lineEnd
                if contentEnd > lineStart && buffer[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
                let line = UnsafeBufferPointer(rebasing: buffer[lineStart..<contentEnd])
                lineStart = lineEnd + 1
                if line.allSatisfy({ $0 == UInt8(ascii: " ") }) { continue }
                values.removeAll(keepingCapacity: true)
                if let problem = parseNumbers(line, into: &values) {
                    if labels.isEmpty && pixelsPerLine == nil && lineNumber == 1 { continue }  // a header line
                    throw DataError.badCSV(file: url.path, line: lineNumber, reason: problem)
                }
                let expected = pixelsPerLine ?? (values.count - 1)
                guard values.count == expected + 1, expected > 0 else {
                    throw DataError.badCSV(file: url.path, line: lineNumber,
                                           reason: "expected \(expected + 1) fields (label + \(expected) pixels), found \(values.count)")
                }
                pixelsPerLine = expected
                guard values[0] >= 0 else {
                    throw DataError.badCSV(file: url.path, line: lineNumber, reason: "label \(values[0]) is negative")
                }
                if let classNames, values[0] >= classNames.count {
                    throw DataError.badCSV(file: url.path, line: lineNumber,
                                           reason: "label \(values[0]) is out of range 0…\(classNames.count - 1)")
                }
                if classNames == nil, values[0] >= Dataset.maximumInferredClassCount {
                    throw DataError.badCSV(file: url.path, line: lineNumber, reason: "label \(values[0]) is out of range "
                        + "0…\(Dataset.maximumInferredClassCount - 1) (the most classes inferred from labels; pass classNames)")
                }
                if let bad = values.dropFirst().first(where: { $0 < 0 || $0 > 255 }) {
                    throw DataError.badCSV(file: url.path, line: lineNumber, reason: "pixel \(bad) is out of range 0…255")
                }
                labels.append(values[0])
                pixels += values.dropFirst().map { UInt8($0) }
            }
        }
        guard let perImage = pixelsPerLine else {
            throw DataError.badCSV(file: url.path, line: lineNumber, reason: "no data lines")
        }
        let (h, w) = try shape(perImage: perImage, channels: channels, height: height, width: width, file: url.path)
        let names = classNames ?? (0...(labels.max() ?? 0)).map(String.init)
        return Dataset(uncheckedName: name ?? url.deletingPathExtension().lastPathComponent, images: pixels,
                       labels: labels, channels: channels, height: h, width: w, classNames: names)
    }

    /// Writes `dataset` as CSV: a header `label,pixel0,…` (when `header`), then one line per image.
    public static func write(_ dataset: Dataset, to url: URL, header: Bool = true) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(dataset.count * (dataset.pixelsPerImage * 3 + 8))
        if header {
            bytes += Array(("label," + (0..<dataset.pixelsPerImage).map { "pixel\($0)" }.joined(separator: ",") + "\n").utf8)
        }
        func append(_ value: Int) {
            if value >= 10 { append(value / 10) }
            bytes.append(UInt8(48 + value % 10))
        }
        for index in 0..<dataset.count {
            append(dataset.labels[index])
            for pixel in dataset.image(at: index) {
                bytes.append(UInt8(ascii: ","))
                append(Int(pixel))
            }
            bytes.append(UInt8(ascii: "\n"))
        }
        try AtomicFile.write(Data(bytes), to: url)
    }

    /// Parses comma-separated integers (spaces allowed around them; `12.0` is read as 12); nil when all parse.
    private static func parseNumbers(_ line: UnsafeBufferPointer<UInt8>, into values: inout [Int]) -> String? {
        var index = 0
        while index <= line.count {
            var fieldEnd = index
            while fieldEnd < line.count && line[fieldEnd] != UInt8(ascii: ",") { fieldEnd += 1 }
            var start = index, end = fieldEnd
            while start < end && line[start] == UInt8(ascii: " ") { start += 1 }
            while end > start && line[end - 1] == UInt8(ascii: " ") { end -= 1 }
            var value = 0, negative = false, sawDigit = false, position = start, valid = true
            if position < end && line[position] == UInt8(ascii: "-") { negative = true; position += 1 }
            while position < end, line[position] >= 48, line[position] <= 57, value < 1 << 40 {
                value = value * 10 + Int(line[position] - 48)
                sawDigit = true
                position += 1
            }
            if position < end && line[position] == UInt8(ascii: ".") {  // accept a zero fraction: 12.0
                position += 1
                while position < end && line[position] == UInt8(ascii: "0") { position += 1 }
            }
            valid = sawDigit && position == end
            if !valid {
                let text = String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
                return "field \(values.count + 1) '\(text)' is not a whole number"
            }
            values.append(negative ? -value : value)
            index = fieldEnd + 1
        }
        return nil
    }

    /// The `(H, W)` of images with `perImage` values, from the arguments or as a square.
    private static func shape(perImage: Int, channels: Int, height: Int?, width: Int?, file: String) throws -> (Int, Int) {
        let plane = perImage / max(channels, 1)
        if let height, let width {
            guard channels * height * width == perImage else {
                throw DataError.wrongLayout(file: file, expected: "\(channels)×\(height)×\(width) = \(channels * height * width) pixels per line",
                                            found: "\(perImage)")
            }
            return (height, width)
        }
        let side = Int(Double(plane).squareRoot().rounded())
        guard plane * channels == perImage, side * side == plane else {
            throw DataError.wrongLayout(file: file, expected: "a square image (pass height: and width:)",
                                        found: "\(perImage) pixels per line")
        }
        return (side, side)
    }
}
