import Foundation

/// The element type of an IDX file, as coded by its third magic byte.
public enum IDXElementType: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    /// Unsigned byte.
    case uint8 = 0x08
    /// Signed byte.
    case int8 = 0x09
    /// Big-endian 16-bit integer.
    case int16 = 0x0B
    /// Big-endian 32-bit integer.
    case int32 = 0x0C
    /// Big-endian IEEE 754 single.
    case float32 = 0x0D
    /// Big-endian IEEE 754 double.
    case float64 = 0x0E

    /// The size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .float64: return 8
        }
    }

    /// Whether the elements are integers.
    public var isInteger: Bool { self != .float32 && self != .float64 }

    /// A short name: `u8`, `i8`, `i16`, `i32`, `f32`, `f64`.
    public var description: String {
        switch self {
        case .uint8: return "u8"
        case .int8: return "i8"
        case .int16: return "i16"
        case .int32: return "i32"
        case .float32: return "f32"
        case .float64: return "f64"
        }
    }
}

/// An n-dimensional array read from (or written to) an IDX file: element type, shape and raw data.
///
/// The data is kept exactly as in the file (big-endian); `floats()`, `integers()` and `doubles()` convert it.
/// For `uint8` arrays `bytes` are the values themselves, so images need no conversion.
public struct IDXArray: Equatable, Sendable {
    /// The element type.
    public var elementType: IDXElementType
    /// The size of each dimension, outermost first: images are `(N, H, W)`, labels `(N)`.
    public var shape: [Int]
    /// The elements in row-major order, each big-endian, as stored in the file.
    public var bytes: [UInt8]

    /// An array of the given type and shape over raw big-endian `bytes`.
    public init(elementType: IDXElementType, shape: [Int], bytes: [UInt8]) {
        precondition(bytes.count == shape.reduce(1, *) * elementType.byteSize,
                     "IDXArray: shape \(shape) of \(elementType) needs \(shape.reduce(1, *) * elementType.byteSize) bytes, got \(bytes.count)")
        self.elementType = elementType
        self.shape = shape
        self.bytes = bytes
    }

    /// An unsigned-byte array (images, labels).
    public init(uint8 values: [UInt8], shape: [Int]) {
        self.init(elementType: .uint8, shape: shape, bytes: values)
    }

    /// An array of any type from `Double` values, encoded big-endian (integers are truncated toward zero).
    public init(_ values: [Double], shape: [Int], elementType: IDXElementType) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * elementType.byteSize)
        for value in values {
            switch elementType {
            case .uint8: bytes.append(UInt8(value))
            case .int8: bytes.append(UInt8(bitPattern: Int8(value)))
            case .int16: withUnsafeBytes(of: Int16(value).bigEndian) { bytes += $0 }
            case .int32: withUnsafeBytes(of: Int32(value).bigEndian) { bytes += $0 }
            case .float32: withUnsafeBytes(of: Float(value).bitPattern.bigEndian) { bytes += $0 }
            case .float64: withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes += $0 }
            }
        }
        self.init(elementType: elementType, shape: shape, bytes: bytes)
    }

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// The shape written `60000×28×28`.
    public var shapeDescription: String { IDXArray.describe(shape) }

    /// The element at flat index `index`, as a `Double` (exact for every IDX type).
    @inline(__always)
    public func value(at index: Int) -> Double {
        let size = elementType.byteSize
        return bytes.withUnsafeBufferPointer { raw -> Double in
            var bits: UInt64 = 0
            for byte in raw[(index * size)..<(index * size + size)] { bits = bits << 8 | UInt64(byte) }
            switch elementType {
            case .uint8: return Double(UInt8(bits))
            case .int8: return Double(Int8(bitPattern: UInt8(bits)))
            case .int16: return Double(Int16(bitPattern: UInt16(bits)))
            case .int32: return Double(Int32(bitPattern: UInt32(bits)))
            case .float32: return Double(Float(bitPattern: UInt32(bits)))
            case .float64: return Double(bitPattern: bits)
            }
        }
    }

    /// Every element as a `Double`.
    public func doubles() -> [Double] {
        (0..<count).map { value(at: $0) }
    }

    /// Every element as a `Float` (fast path for `uint8`).
    public func floats() -> [Float] {
        if elementType == .uint8 { return bytes.map { Float($0) } }
        return (0..<count).map { Float(value(at: $0)) }
    }

    /// Every element as an `Int`, or nil when the type is a floating-point one.
    public func integers() -> [Int]? {
        guard elementType.isInteger else { return nil }
        if elementType == .uint8 { return bytes.map { Int($0) } }
        return (0..<count).map { Int(value(at: $0)) }
    }

    /// A shape written `60000×28×28` (a scalar is `scalar`).
    static func describe(_ shape: [Int]) -> String {
        shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "×")
    }
}
