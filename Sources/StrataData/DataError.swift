import Foundation

/// An error a user can cause while reading or fetching data; its message names the file and what is wrong.
///
/// ```swift
/// do { _ = try IDXFile.read(url) }
/// catch let error as DataError { print(error) }
/// // train-images-idx3-ubyte.gz: truncated: header says 60000×28×28 bytes but the data ends after 1234
/// ```
public enum DataError: Error, Equatable, Sendable {
    /// The file could not be opened or read at all.
    case unreadable(file: String, reason: String)
    /// The data ends before the header's sizes say it should (`endsAfter` data bytes were present).
    case truncated(file: String, header: String, expectedBytes: Int, endsAfter: Int)
    /// A gzip file's compressed stream is cut off (an interrupted download) before the header's sizes are met.
    case truncatedGzip(file: String, header: String, expectedBytes: Int, endsAfter: Int)
    /// A gzip file too small to inflate to the data its header claims; refused before allocating.
    case cannotHold(file: String, header: String, expectedBytes: Int, compressedBytes: Int)
    /// The file ends inside the header itself.
    case truncatedHeader(file: String, headerBytes: Int, endsAfter: Int)
    /// The first bytes are not an IDX magic number (`00 00 type ndims`).
    case badMagic(file: String, found: [UInt8])
    /// The IDX type byte is not one of 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E.
    case unknownElementType(file: String, code: UInt8)
    /// There is more data than the header's sizes account for (`actualBytes` is nil when only "more" is known).
    case trailingData(file: String, header: String, expectedBytes: Int, actualBytes: Int?)
    /// The header claims more data than could fit in memory; refused before allocating.
    case tooLarge(file: String, header: String, claimedBytes: String, limitBytes: Int)
    /// The file is named `.gz` but does not start with the gzip magic `1f 8b`.
    case notGzip(file: String, found: [UInt8])
    /// zlib refused the compressed stream (bad CRC, bad deflate data, …).
    case corruptGzip(file: String, reason: String)
    /// The file's (decompressed) content runs past the limit on what is read into memory.
    case contentTooLarge(file: String, limitBytes: Int)
    /// The array has the wrong element type or number of dimensions for its role.
    case wrongLayout(file: String, expected: String, found: String)
    /// A label is outside `0..<classCount`.
    case labelOutOfRange(file: String, index: Int, label: Int, classCount: Int)
    /// The images file and the labels file hold different numbers of items.
    case countMismatch(imagesFile: String, images: Int, labelsFile: String, labels: Int)
    /// A CSV line cannot be parsed.
    case badCSV(file: String, line: Int, reason: String)
    /// An image file cannot be decoded or does not match the others.
    case badImage(file: String, reason: String)
    /// A folder of images has no usable content.
    case emptyFolder(folder: String, reason: String)
    /// A built-in dataset name that Strata does not know.
    case unknownDataset(name: String, known: [String])
    /// A dataset was looked for in every place and found in none.
    case datasetNotFound(name: String, searched: [String], fix: String)
    /// A downloaded or cached file's decompressed content does not have the published SHA-256.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// Every mirror failed for a file; `attempts` says why, one line per mirror.
    case downloadFailed(file: String, attempts: [String])
    /// A request that cannot be satisfied by the data given (for example pairs of unequal labels from one class).
    case invalidRequest(reason: String)
}

extension DataError: CustomStringConvertible, LocalizedError {
    /// The message, starting with the file it is about.
    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .truncated(file, header, expected, endsAfter):
            return "\(file): truncated: header says \(header) = \(expected) bytes of data but the data ends after \(endsAfter)"
        case let .truncatedGzip(file, header, expected, endsAfter):
            return "\(file): truncated: the gzip stream is cut off after \(endsAfter) bytes of data;"
                + " header says \(header) = \(expected) bytes (an interrupted download?)"
        case let .cannotHold(file, header, expected, compressed):
            return "\(file): truncated: header says \(header) = \(expected) bytes of data, but \(compressed) bytes of gzip"
                + " can hold at most \(GzipStream.maximumExpansion * compressed); refused before allocating"
        case let .truncatedHeader(file, headerBytes, endsAfter):
            return "\(file): truncated: the IDX header needs \(headerBytes) bytes but the file ends after \(endsAfter)"
        case let .badMagic(file, found):
            return "\(file): wrong magic number \(hex(found)); an IDX file starts with 00 00 <type> <ndims>"
        case let .unknownElementType(file, code):
            return "\(file): unknown IDX element type 0x\(String(format: "%02X", code))"
                + " (known: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64)"
        case let .trailingData(file, header, expected, actual):
            let holds = actual.map { "\($0) bytes" } ?? "more"
            return "\(file): header sizes disagree with the file's length: header says \(header) = \(expected) bytes"
                + " of data but the file holds \(holds)"
        case let .tooLarge(file, header, claimed, limit):
            return "\(file): header claims \(header) = \(claimed) bytes, more than fits in memory"
                + " (limit \(limit) bytes); refused before allocating"
        case let .notGzip(file, found):
            return "\(file): named .gz but is not gzip: starts with \(hex(found)), not 1f 8b"
        case let .corruptGzip(file, reason):
            return "\(file): corrupt gzip data: \(reason)"
        case let .contentTooLarge(file, limit):
            return "\(file): holds more than \(limit) bytes (after decompression), more than fits in memory; refused"
        case let .wrongLayout(file, expected, found):
            return "\(file): expected \(expected), found \(found)"
        case let .labelOutOfRange(file, index, label, classCount):
            return "\(file): label \(label) at index \(index) is out of range 0…\(classCount - 1)"
        case let .countMismatch(imagesFile, images, labelsFile, labels):
            return "\(imagesFile) has \(images) images but \(labelsFile) has \(labels) labels"
        case let .badCSV(file, line, reason):
            return "\(file): line \(line): \(reason)"
        case let .badImage(file, reason):
            return "\(file): \(reason)"
        case let .emptyFolder(folder, reason):
            return "\(folder): \(reason)"
        case let .unknownDataset(name, known):
            return "unknown dataset '\(name)'; known datasets: \(known.joined(separator: ", "))"
        case let .datasetNotFound(name, searched, fix):
            let places = searched.enumerated().map { "  \($0.offset + 1). \($0.element)" }.joined(separator: "\n")
            return "dataset '\(name)' not found. Looked in:\n\(places)\n\(fix)"
        case let .checksumMismatch(file, expected, actual):
            return "\(file): SHA-256 of the decompressed data is \(actual), expected \(expected)"
        case let .downloadFailed(file, attempts):
            return "\(file): every mirror failed:\n" + attempts.map { "  - \($0)" }.joined(separator: "\n")
        case let .invalidRequest(reason):
            return reason
        }
    }

    /// The same message as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "(nothing)" : bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
    }
}
