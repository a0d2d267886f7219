@testable import StrataInterop
import XCTest

/// The protobuf writer against bytes computed by hand from the wire-format rules.
final class ProtobufWriterTests: XCTestCase {
    private func varint(_ value: UInt64) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.writeVarint(value)
        return writer.bytes
    }

    func testVarintEdgeCases() {
        XCTAssertEqual(varint(0), [0x00])
        XCTAssertEqual(varint(1), [0x01])
        XCTAssertEqual(varint(127), [0x7F])
        XCTAssertEqual(varint(128), [0x80, 0x01])
        XCTAssertEqual(varint(300), [0xAC, 0x02])
        XCTAssertEqual(varint(16_383), [0xFF, 0x7F])
        XCTAssertEqual(varint(16_384), [0x80, 0x80, 0x01])
        XCTAssertEqual(varint(UInt64(UInt32.max)), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        XCTAssertEqual(varint(UInt64.max), [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    func testIntegerFieldsNegativeTakeTenBytes() {
        var writer = ProtobufWriter()
        writer.writeInt(1, 8)
        writer.writeInt(3, -1)
        XCTAssertEqual(writer.bytes, [0x08, 0x08, 0x18] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    func testFloatStringAndPackedFields() {
        var writer = ProtobufWriter()
        writer.writeFloat(2, 0.5)                 // key (2 << 3) | 5 = 0x15
        writer.writeString(4, "Relu")             // key 0x22, length 4
        writer.writePackedInts(8, [1, 300, -1])   // key 0x42, length 1 + 2 + 10
        writer.writePackedFloats(4, [1, -2])      // key 0x22, length 8
        writer.writePackedInts(9, [])             // nothing for an empty list
        let expected: [UInt8] = [0x15, 0x00, 0x00, 0x00, 0x3F,
                                 0x22, 0x04, 0x52, 0x65, 0x6C, 0x75,
                                 0x42, 0x0D, 0x01, 0xAC, 0x02] + [UInt8](repeating: 0xFF, count: 9) + [0x01]
            + [0x22, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]
        XCTAssertEqual(writer.bytes, expected)
    }

    func testNestedMessageIsLengthPrefixed() {
        var writer = ProtobufWriter()
        writer.writeMessage(7) { $0.writeInt(1, 150) }
        XCTAssertEqual(writer.bytes, [0x3A, 0x03, 0x08, 0x96, 0x01])
    }

    func testTinyTensorProto() {
        var writer = ProtobufWriter()
        ONNXTensor.float("w", dims: [2], values: [1, -2]).encode(into: &writer)
        // dims (1, packed) [2]; data_type (2) FLOAT = 1; name (8) "w"; raw_data (9) 1.0f, -2.0f little-endian.
        XCTAssertEqual(writer.bytes, [0x0A, 0x01, 0x02, 0x10, 0x01, 0x42, 0x01, 0x77,
                                      0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
    }

    func testInt64TensorAndAttributes() throws {
        var tensor = ProtobufWriter()
        ONNXTensor.int64("s", values: [0, -1]).encode(into: &tensor)
        XCTAssertEqual(tensor.bytes, [0x0A, 0x01, 0x02, 0x10, 0x07, 0x42, 0x01, 0x73, 0x4A, 0x10]
            + [UInt8](repeating: 0, count: 8) + [UInt8](repeating: 0xFF, count: 8))
        var attribute = ProtobufWriter()
        ONNXAttribute(name: "pads", value: .ints([1, 1])).encode(into: &attribute)
        // name (1) "pads", ints (8, packed) [1, 1], type (20: key 0xA0 0x01) INTS = 7.
        XCTAssertEqual(attribute.bytes, [0x0A, 0x04, 0x70, 0x61, 0x64, 0x73, 0x42, 0x02, 0x01, 0x01, 0xA0, 0x01, 0x07])
    }

    func testReaderReadsBackWhatTheWriterWrote() throws {
        var writer = ProtobufWriter()
        writer.writeInt(1, 8)
        writer.writeString(2, "Strata")
        writer.writePackedInts(3, [4, 0, 1_000_000, -2])
        let fields = try ProtobufReader.fields(of: writer.bytes)
        XCTAssertEqual(fields.map(\.number), [1, 2, 3])
        XCTAssertEqual(fields.first(1)?.varint, 8)
        XCTAssertEqual(fields.first(2)?.string, "Strata")
        XCTAssertEqual(try ProtobufReader.packedVarints(fields.first(3)?.bytes ?? []), [4, 0, 1_000_000, -2])
    }
}
