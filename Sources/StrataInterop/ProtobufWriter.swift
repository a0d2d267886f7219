/// Writes Protocol Buffers wire format: the few field kinds ONNX's messages use (varints,
/// length-delimited bytes, strings and nested messages, packed int64s and little-endian float32s).
///
/// ```swift
/// var writer = ProtobufWriter()
/// writer.writeInt(1, 8)              // field 1, varint 8: bytes 08 08
/// writer.writeString(2, "Relu")      // field 2, length-delimited
/// ```
struct ProtobufWriter: Sendable {
    /// The wire types of the fields written here.
enum WireType: UInt8, Sendable {
        /// An unsigned LEB128 integer (int32, int64, enum).
        case varint = 0
        /// A length, then that many bytes (string, bytes, message, packed repeated scalars).
        case lengthDelimited = 2
        /// Four little-endian bytes (float).
        case fixed32 = 5
    }

    /// The bytes written so far.
private(set) var bytes: [UInt8] = []

    /// An empty writer.
init() {}

    /// Appends `value` as an unsigned varint: seven bits a byte, low bits first, the high bit set on all
    /// but the last byte. Negative numbers are written as their 64-bit two's complement (ten bytes).
mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a field's key: `(field << 3) | wireType`.
mutating func writeTag(_ field: Int, _ wireType: WireType) {
        precondition(field > 0, "ProtobufWriter: field numbers start at 1, got \(field)")
        writeVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// Appends an integer field (int32, int64 or enum; negative values take ten bytes, as protobuf does).
mutating func writeInt(_ field: Int, _ value: Int) {
        writeTag(field, .varint)
        writeVarint(UInt64(bitPattern: Int64(value)))
    }

    /// Appends a float field (fixed32, little-endian).
mutating func writeFloat(_ field: Int, _ value: Float) {
        writeTag(field, .fixed32)
        appendLittleEndian(value)
    }

    /// Appends a bytes field.
mutating func writeBytes(_ field: Int, _ value: [UInt8]) {
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes += value
    }

    /// Appends a string field (UTF-8).
mutating func writeString(_ field: Int, _ value: String) {
        writeBytes(field, Array(value.utf8))
    }

    /// Appends a nested message field whose body `content` writes.
mutating func writeMessage(_ field: Int, _ content: (inout ProtobufWriter) -> Void) {
        var body = ProtobufWriter()
        content(&body)
        writeBytes(field, body.bytes)
    }

    /// Appends a packed repeated integer field (one length, then the varints); nothing when empty.
mutating func writePackedInts(_ field: Int, _ values: [Int]) {
        guard !values.isEmpty else { return }
        var body = ProtobufWriter()
        for value in values { body.writeVarint(UInt64(bitPattern: Int64(value))) }
        writeBytes(field, body.bytes)
    }

    /// Appends a packed repeated float field (one length, then four little-endian bytes each); nothing when empty.
mutating func writePackedFloats(_ field: Int, _ values: [Float]) {
        guard !values.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(values.count * 4))
        for value in values { appendLittleEndian(value) }
    }

    /// The little-endian bytes of `values`, as ONNX's `raw_data` stores float32 tensors.
static func littleEndianBytes(_ values: [Float]) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.bytes.reserveCapacity(values.count * 4)
        for value in values { writer.appendLittleEndian(value) }
        return writer.bytes
    }

    private mutating func appendLittleEndian(_ value: Float) {
        let bits = value.bitPattern
        bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                  UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
    }
}
