/// A seeded mutator of file contents for the parsers' mutation tests: the same seed gives the same inputs.
///
/// Each call to `mutate` stacks one to four mutations drawn from: bit flips; bytes set to 0x00, 0xFF, 0x7F or
/// 0x80; truncation at a random point; insertion or deletion of a run of bytes; a chunk duplicated elsewhere;
/// an "interesting" integer (0, 1, −1, 2³¹−1, 2³²−1, 10¹², …) written over a declared header field or at a
/// random offset; a decimal number in the text replaced by another (`-1`, `4294967295`, `1e12`, …); and a JSON
/// value replaced by one of another type (`null`, `"x"`, `[]`, `{}`, `true`, a huge number).
///
/// ```swift
/// var mutator = InputMutator(seed: 7)
/// let input = mutator.mutate(validFile, fields: [HeaderField(offset: 4, width: 4, bigEndian: true)])
/// ```
public struct InputMutator {
    /// Integers that break size arithmetic: zero, one, minus one, the 8-, 16-, 31-, 32- and 63-bit limits and 10¹².
    public static let interestingIntegers: [UInt64] = [
        0, 1, UInt64(bitPattern: -1), 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        1_000_000_000_000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
    ]

    /// Numbers written over the decimal numbers of text formats (PGM headers, CSV, JSON).
    public static let interestingNumbers: [String] = [
        "0", "1", "-1", "-0", "255", "256", "65535", "65536", "2147483647", "2147483648", "4294967295",
        "4294967296", "1000000000000", "9223372036854775807", "9223372036854775808", "99999999999999999999999",
        "1e12", "1.5", "-2147483648", "1e400", "NaN",
    ]

    /// JSON values of every type, written over a value in a JSON document.
    public static let jsonValues: [String] = [
        "null", "true", "\"x\"", "\"\"", "[]", "{}", "[1,2]", "{\"a\":1}", "0", "-1", "1000000000000", "1e308",
        "[1000000000000,1000000000000]", "\"1000000000000\"", "[[[[[[[[[[]]]]]]]]]]",
    ]

    private var state: UInt64

    /// A mutator whose choices all follow from `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// A mutated copy of `input`: one to four mutations, some aimed at `fields` when any are given.
    public mutating func mutate(_ input: [UInt8], fields: [HeaderField] = []) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + below(4)) {
            apply(&bytes, fields: fields)
        }
        return bytes
    }

    /// A random number in `0..<bound` (SplitMix64; `bound` must be positive).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "InputMutator.below: bound must be positive, got \(bound)")
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }

    /// Applies one mutation, chosen at random, to `bytes`.
    private mutating func apply(_ bytes: inout [UInt8], fields: [HeaderField]) {
        let count = bytes.count
        switch below(10) {
        case 0 where count > 0:
            bytes[below(count)] ^= 1 << UInt8(below(8))
        case 1 where count > 0:
            bytes[below(count)] = [0x00, 0xFF, 0x7F, 0x80][below(4)]
        case 2 where count > 0:
            bytes.removeLast(count - below(count))
        case 3:
            let run = below(2) == 0
                ? [UInt8](repeating: UInt8(below(256)), count: 1 + below(64))
                : (0..<(1 + below(16))).map { _ in UInt8(below(256)) }
            bytes.insert(contentsOf: run, at: below(count + 1))
        case 4 where count > 0:
            let start = below(count)
            bytes.removeSubrange(start..<min(count, start + 1 + below(32)))
        case 5 where count > 0:
            let start = below(count)
            let chunk = Array(bytes[start..<min(count, start + 1 + below(64))])
            bytes.insert(contentsOf: chunk, at: below(count + 1))
        case 6, 7:
            let field = fields.isEmpty || below(4) == 0
                ? HeaderField(offset: count > 0 ? below(count) : 0, width: [1, 2, 4, 8][below(4)], bigEndian: below(2) == 0)
                : fields[below(fields.count)]
            write(Self.interestingIntegers[below(Self.interestingIntegers.count)], over: field, in: &bytes)
        case 8:
            replaceNumber(in: &bytes)
        case 9:
            replaceJSONValue(in: &bytes)
        default:
            bytes.append(UInt8(below(256)))
        }
    }

    /// Writes `value`, cut to the field's width, over `field` (as far as the bytes reach).
    private func write(_ value: UInt64, over field: HeaderField, in bytes: inout [UInt8]) {
        for index in 0..<field.width {
            let position = field.offset + index
            guard position < bytes.count else { return }
            let shift = field.bigEndian ? 8 * (field.width - 1 - index) : 8 * index
            bytes[position] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
        }
    }

    /// Replaces one run of ASCII digits (with a leading minus sign) by an interesting number.
    private mutating func replaceNumber(in bytes: inout [UInt8]) {
        let starts = bytes.indices.filter { isDigit(bytes[$0]) && ($0 == 0 || !isDigit(bytes[$0 - 1])) }
        guard !starts.isEmpty else { return }
        var start = starts[below(starts.count)]
        var end = start
        while end < bytes.count && isDigit(bytes[end]) { end += 1 }
        if start > 0 && bytes[start - 1] == UInt8(ascii: "-") { start -= 1 }
        bytes.replaceSubrange(start..<end, with: Array(Self.interestingNumbers[below(Self.interestingNumbers.count)].utf8))
    }

    /// Replaces the value after one `:` or `[` or `,` of a JSON text (up to the next `,`, `]` or `}`) by a value of
    /// another type.
    private mutating func replaceJSONValue(in bytes: inout [UInt8]) {
        let separators: Set<UInt8> = [UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: ",")]
        let starts = bytes.indices.filter { separators.contains(bytes[$0]) }
        guard !starts.isEmpty else { return }
        let start = starts[below(starts.count)] + 1
        var end = start
        var inString = false
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") { inString.toggle() }
            if !inString && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}")) { break }
            end += 1
        }
        bytes.replaceSubrange(start..<end, with: Array(Self.jsonValues[below(Self.jsonValues.count)].utf8))
    }

    private func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
}

/// A fixed-width integer field of a binary header (a dimension, a length), aimed at by `InputMutator`.
public struct HeaderField: Sendable {
    /// The offset of the field's first byte.
    public var offset: Int
    /// The field's size in bytes: 1, 2, 4 or 8.
    public var width: Int
    /// Whether the most significant byte comes first.
    public var bigEndian: Bool

    /// A field of `width` bytes at `offset`.
    public init(offset: Int, width: Int, bigEndian: Bool) {
        self.offset = offset
        self.width = width
        self.bigEndian = bigEndian
    }
}
