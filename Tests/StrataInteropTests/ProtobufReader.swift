/// A tiny Protocol Buffers reader for the tests: splits a message into its fields, so a written
/// ONNX file can be read back and its structure checked without onnx's Python package.
struct ProtobufReader {
    /// One field of a message.
    struct Field {
        /// The field number.
        let number: Int
        /// The value of a varint field.
        let varint: UInt64?
        /// The bytes of a length-delimited or fixed32 field.
        let bytes: [UInt8]

        /// The bytes as UTF-8 text.
        var string: String { String(decoding: bytes, as: UTF8.self) }
        /// The fields of the nested message in `bytes`.
        var message: [Field] { get throws { try ProtobufReader.fields(of: bytes) } }
    }

    /// A malformed message.
    struct Malformed: Error {}

    /// The fields of `bytes`, in order.
    static func fields(of bytes: [UInt8]) throws -> [Field] {
        var position = 0
        func varint() throws -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard position < bytes.count, shift < 64 else { throw Malformed() }
                let byte = bytes[position]
                position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        var fields: [Field] = []
        while position < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                fields.append(Field(number: number, varint: try varint(), bytes: []))
            case 2:
                let length = Int(try varint())
                guard position + length <= bytes.count else { throw Malformed() }
                fields.append(Field(number: number, varint: nil, bytes: Array(bytes[position..<position + length])))
                position += length
            case 5:
                guard position + 4 <= bytes.count else { throw Malformed() }
                fields.append(Field(number: number, varint: nil, bytes: Array(bytes[position..<position + 4])))
                position += 4
            default:
                throw Malformed()
            }
        }
        return fields
    }

    /// The varints of a packed repeated field, as signed 64-bit values.
    static func packedVarints(_ bytes: [UInt8]) throws -> [Int] {
        var values: [Int] = []
        var value: UInt64 = 0, shift: UInt64 = 0
        for byte in bytes {
            guard shift < 64 else { throw Malformed() }
            value |= UInt64(byte & 0x7F) << shift
            shift += 7
            if byte < 0x80 {
                values.append(Int(Int64(bitPattern: value)))
                value = 0
                shift = 0
            }
        }
        guard shift == 0 else { throw Malformed() }
        return values
    }
}

extension Array where Element == ProtobufReader.Field {
    /// The fields numbered `number`.
    func all(_ number: Int) -> [ProtobufReader.Field] { filter { $0.number == number } }
    /// The first field numbered `number`.
    func first(_ number: Int) -> ProtobufReader.Field? { first { $0.number == number } }
}
