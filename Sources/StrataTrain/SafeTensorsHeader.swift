import Foundation

/// The JSON header of a safetensors file: where each tensor lies in the data section, and the
/// free-form string metadata.
///
/// Parsing enforces the rules of the reference (Rust) implementation: a JSON object of at most
/// `maximumByteCount` bytes; every entry has a known `dtype`, a `shape` of non-negative integers and
/// `data_offsets` `[begin, end]` whose span is exactly shape × dtype size; the tensors, ordered by
/// offset, cover the data section exactly, with no gap and no overlap; `__metadata__` maps strings
/// to strings.
public struct SafeTensorsHeader: Equatable, Sendable {
    /// Where one tensor lies and how to read it.
    public struct Entry: Equatable, Sendable {
        /// The tensor's name (the key in the header).
        public let name: String
        /// The element type.
        public let dtype: SafeTensorsDType
        /// The size of each dimension, outermost first (empty for a scalar).
        public let shape: [Int]
        /// The bytes of the data section that hold the elements, little-endian, row-major.
        public let byteRange: Range<Int>
    }

    /// The largest header accepted, as in the Rust crate (100 MB), so a hostile length cannot exhaust memory.
    public static let maximumByteCount = 100_000_000
    /// The key of the metadata object.
    public static let metadataKey = "__metadata__"

    /// The tensors, in the order of their offsets.
    public let entries: [Entry]
    /// The string metadata (empty when the file has none).
    public let metadata: [String: String]

    /// Parses and validates `json`, the header of the file at `path` whose data section is
    /// `dataByteCount` bytes long; throws `CheckpointError` naming the file and the fault.
    init(json: Data, dataByteCount: Int, path: String) throws {
        func corrupt(_ reason: String) -> CheckpointError { .corrupt(path: path, reason: reason) }
        guard json.first == UInt8(ascii: "{") else {
            throw corrupt("the header is not a JSON object (it starts with \(Self.preview(json)))")
        }
        let object: [String: HeaderJSON]
        do {
            object = try JSONDecoder().decode([String: HeaderJSON].self, from: json)
        } catch {
            throw corrupt("the header is not valid JSON (\(Self.shortReason(error, json: json)))")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in object {
            if name == Self.metadataKey {
                if case .null = value { continue }
                guard case let .object(fields) = value else {
                    throw corrupt("'\(Self.metadataKey)' must be an object of strings, not \(value.kind)")
                }
                for (key, field) in fields {
                    guard case let .string(text) = field else {
                        throw corrupt("'\(Self.metadataKey)' value of '\(key)' must be a string, not \(field.kind)")
                    }
                    metadata[key] = text
                }
            } else {
                entries.append(try Self.entry(name, value, path: path))
            }
        }
        entries.sort { ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound) }
        var covered = 0
        var previous: Entry?
        for entry in entries {
            if entry.byteRange.lowerBound < covered, let previous {
                throw corrupt("tensor '\(entry.name)' (data bytes \(Self.text(entry.byteRange))) overlaps "
                    + "tensor '\(previous.name)' (data bytes \(Self.text(previous.byteRange)))")
            }
            if entry.byteRange.lowerBound > covered {
                throw corrupt("no tensor covers data bytes \(covered)..<\(entry.byteRange.lowerBound) "
                    + "(before tensor '\(entry.name)'); offsets must cover the data section without gaps")
            }
            if entry.byteRange.upperBound > dataByteCount {
                throw corrupt("tensor '\(entry.name)' needs data bytes \(Self.text(entry.byteRange)) but the data "
                    + "section holds only \(dataByteCount) bytes (the file is truncated or its offsets are wrong)")
            }
            covered = entry.byteRange.upperBound
            if !entry.byteRange.isEmpty { previous = entry }
        }
        if covered != dataByteCount {
            throw corrupt("\(dataByteCount) bytes of data follow the header but the tensors cover only \(covered); "
                + "offsets must cover the data section exactly")
        }
        self.entries = entries
        self.metadata = metadata
    }

    /// Validates one tensor entry of the header.
    private static func entry(_ name: String, _ value: HeaderJSON, path: String) throws -> Entry {
        func corrupt(_ reason: String) -> CheckpointError {
            .corrupt(path: path, reason: "tensor '\(name)' \(reason)")
        }
        guard case let .object(fields) = value else { throw corrupt("must be an object, not \(value.kind)") }
        guard let dtypeField = fields["dtype"] else { throw corrupt("has no 'dtype'") }
        guard case let .string(dtypeName) = dtypeField else {
            throw corrupt("has a 'dtype' that is \(dtypeField.kind), not a string")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw CheckpointError.unsupportedDType(path: path, tensor: name, dtype: dtypeName)
        }
        guard let shapeField = fields["shape"] else { throw corrupt("has no 'shape'") }
        guard let shape = shapeField.naturals else {
            throw corrupt("has a 'shape' that is not a list of non-negative integers")
        }
        guard let offsetsField = fields["data_offsets"] else { throw corrupt("has no 'data_offsets'") }
        guard let offsets = offsetsField.naturals, offsets.count == 2 else {
            throw corrupt("has 'data_offsets' that are not two non-negative integers [begin, end]")
        }
        guard offsets[0] <= offsets[1] else {
            throw corrupt("has 'data_offsets' [\(offsets[0]), \(offsets[1])] that end before they begin")
        }
        var bytes = dtype.byteCount
        for size in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: size)
            guard !overflow else { throw corrupt("has a shape \(shape) too large to address") }
            bytes = product
        }
        guard offsets[1] - offsets[0] == bytes else {
            throw corrupt("of shape \(shape) and dtype \(dtype.rawValue) needs \(bytes) bytes but its "
                + "'data_offsets' [\(offsets[0]), \(offsets[1])] span \(offsets[1] - offsets[0])")
        }
        return Entry(name: name, dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1])
    }

    /// The header of F32 tensors laid out one after another in the given order, padded with spaces
    /// to a multiple of 8 bytes (as the Python library does) so the data section stays aligned.
    static func encoded(float32 tensors: [(name: String, shape: [Int])], metadata: [String: String]) -> [UInt8] {
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(quoted($0)):\(quoted(metadata[$0]!))" }
            fields.append("\(quoted(metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, shape) in tensors {
            let end = offset + shape.reduce(4, *)
            let dims = shape.map(String.init).joined(separator: ",")
            fields.append("\(quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(dims)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        json += fields.joined(separator: ",") + "}"
        var bytes = Array(json.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }

    /// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private static func text(_ range: Range<Int>) -> String { "\(range.lowerBound)..<\(range.upperBound)" }

    /// The first bytes of a header, printable, for a message.
    private static func preview(_ json: Data) -> String {
        let head = String(decoding: json.prefix(16), as: UTF8.self)
        return head.isEmpty ? "nothing" : "\"\(head)\(json.count > 16 ? "…" : "")\""
    }

    /// A one-line reason why decoding `json` failed with `error`: where the syntax breaks, or which
    /// value has the wrong type (`JSONDecoder` on Linux does not say where, `JSONSerialization` does).
    static func shortReason(_ error: any Error, json: Data) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            do {
                _ = try JSONSerialization.jsonObject(with: json, options: .fragmentsAllowed)
            } catch {
                if let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
            }
            return context.debugDescription
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.keyNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return path.isEmpty ? context.debugDescription
                : "at \(path.joined(separator: ".")): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

/// A JSON value as the header holds it, decoded without loss so the header can be validated field by field.
private enum HeaderJSON: Decodable {
    case null, bool(Bool), integer(Int), number(Double), string(String)
    case array([HeaderJSON]), object([String: HeaderJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([HeaderJSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: HeaderJSON].self)) }
    }

    /// The values as `Int`s when this is an array of non-negative integers.
    var naturals: [Int]? {
        guard case let .array(items) = self else { return nil }
        var result: [Int] = []
        for item in items {
            guard case let .integer(value) = item, value >= 0 else { return nil }
            result.append(value)
        }
        return result
    }

    /// What kind of value this is, for a message.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
