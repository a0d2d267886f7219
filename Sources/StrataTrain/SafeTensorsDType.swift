/// The element types of the safetensors format that Strata reads, by their names in the header.
///
/// Strata tensors are Float32, so `SafeTensorsFile.read` converts every other type on load:
/// `F64` rounds to the nearest Float, `F16` and `BF16` widen exactly, integers become the nearest
/// Float (exact up to 2^24 in magnitude) and `BOOL` becomes 0 or 1. Integer state that must stay
/// exact (a step count, a seed) belongs in the metadata as a decimal string (see `Checkpoint`).
/// Strata writes `F32` only. The 8-bit float types of newer writers (`F8_E4M3`, …) are refused.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    /// IEEE 754 single precision (what Strata writes).
    case float32 = "F32"
    /// IEEE 754 double precision.
    case float64 = "F64"
    /// IEEE 754 half precision.
    case float16 = "F16"
    /// bfloat16: the upper 16 bits of a Float32.
    case bfloat16 = "BF16"
    /// Signed 64-bit integer.
    case int64 = "I64"
    /// Signed 32-bit integer.
    case int32 = "I32"
    /// Signed 16-bit integer.
    case int16 = "I16"
    /// Signed 8-bit integer.
    case int8 = "I8"
    /// Unsigned 64-bit integer.
    case uint64 = "U64"
    /// Unsigned 32-bit integer.
    case uint32 = "U32"
    /// Unsigned 16-bit integer.
    case uint16 = "U16"
    /// Unsigned 8-bit integer.
    case uint8 = "U8"
    /// One byte per element, 0 for false and anything else for true.
    case bool = "BOOL"

    /// The size of one element in bytes.
    public var byteCount: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32, .uint32: return 4
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// Converts `count` little-endian elements of this type at `source` (any alignment) to Float32.
    ///
    /// `F32` is one `memcpy`; the other types are one tight loop each.
    func convert(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>) {
        switch self {
        case .float32:
            // Strata runs on little-endian hosts only (x86-64, arm64), so the bytes are the Floats.
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .float64:
            widen(source, count, destination, UInt64.self) { Float(Double(bitPattern: $0)) }
        case .float16:
            widen(source, count, destination, UInt16.self, SafeTensorsDType.halfToFloat)
        case .bfloat16:
            widen(source, count, destination, UInt16.self) { Float(bitPattern: UInt32($0) << 16) }
        case .int64:
            widen(source, count, destination, UInt64.self) { Float(Int64(bitPattern: $0)) }
        case .int32:
            widen(source, count, destination, UInt32.self) { Float(Int32(bitPattern: $0)) }
        case .int16:
            widen(source, count, destination, UInt16.self) { Float(Int16(bitPattern: $0)) }
        case .int8:
            widen(source, count, destination, UInt8.self) { Float(Int8(bitPattern: $0)) }
        case .uint64:
            widen(source, count, destination, UInt64.self) { Float($0) }
        case .uint32:
            widen(source, count, destination, UInt32.self) { Float($0) }
        case .uint16:
            widen(source, count, destination, UInt16.self) { Float($0) }
        case .uint8:
            widen(source, count, destination, UInt8.self) { Float($0) }
        case .bool:
            widen(source, count, destination, UInt8.self) { $0 == 0 ? 0 : 1 }
        }
    }

    /// Loads each element as the little-endian integer `bits` and stores `transform` of it.
    @inline(__always)
    private func widen<Bits: FixedWidthInteger>(_ source: UnsafeRawPointer, _ count: Int,
                                                _ destination: UnsafeMutablePointer<Float>,
                                                _ bits: Bits.Type, _ transform: (Bits) -> Float) {
        let size = MemoryLayout<Bits>.size
        for index in 0..<count {
            let raw = source.loadUnaligned(fromByteOffset: index * size, as: Bits.self)
            destination[index] = transform(Bits(littleEndian: raw))
        }
    }

    /// The exact Float32 value of an IEEE half-precision bit pattern (subnormals, infinities, NaN too).
    static func halfToFloat(_ half: UInt16) -> Float {
        let sign: UInt32 = UInt32(half & 0x8000) << 16
        let exponent = UInt32(half >> 10) & 0x1F
        let mantissa = UInt32(half & 0x03FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
