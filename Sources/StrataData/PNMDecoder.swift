import Foundation

/// Reads Netpbm greymaps and pixmaps: `P2`/`P5` (PGM) and `P3`/`P6` (PPM), ASCII or binary, maxval 1…65535.
///
/// The header is the magic, width, height and maxval, separated by whitespace, with `#` comments running to
/// the end of a line. Binary samples follow one whitespace byte after maxval: one byte each when maxval < 256,
/// else two bytes big-endian. Samples are scaled from 0…maxval to 0…255 (rounded).
enum PNMDecoder {
    /// Decodes `bytes` (a whole file, named `file` in errors) into planes `(C, H, W)`: C = 1 (luma) or 3 (RGB).
    static func decode(_ bytes: [UInt8], file: String, color: Bool) throws -> DecodedImage {
        var reader = PNMHeaderReader(bytes: bytes, file: file)
        let magic = bytes.count >= 2 ? bytes[1] : 0
        let format: ImageFileFormat = (magic == UInt8(ascii: "2") || magic == UInt8(ascii: "5")) ? .pgm : .ppm
        let binary = magic == UInt8(ascii: "5") || magic == UInt8(ascii: "6")
        let channels = format == .pgm ? 1 : 3
        let width = try reader.field("width", in: 1...(1 << 20))
        let height = try reader.field("height", in: 1...(1 << 20))
        let maxval = try reader.field("maxval", in: 1...65535)
        let sampleCount = width * height * channels
        let samples = binary
            ? try binarySamples(bytes, after: &reader, count: sampleCount, wide: maxval > 255, header: (width, height, maxval))
            : try asciiSamples(bytes, from: reader.position, count: sampleCount, file: file, header: (width, height, maxval))
        if let bad = samples.firstIndex(where: { Int($0) > maxval }) {
            let pixel = bad / channels
            throw DataError.badImage(file: file, reason: "sample \(samples[bad]) at row \(pixel / width), column"
                + " \(pixel % width) is above the header's maxval \(maxval)")
        }
        let scaled = maxval == 255
            ? samples.map { UInt8($0) }
            : samples.map { UInt8((Int($0) * 255 + maxval / 2) / maxval) }
        let pixels = ImageFolderDataset.planes(fromInterleaved: scaled, channels: channels, color: color)
        return DecodedImage(pixels: pixels, channels: color ? 3 : 1, height: height, width: width, format: format)
    }

    /// The binary raster: one whitespace byte after maxval, then `count` samples of 1 or 2 (`wide`) bytes.
    private static func binarySamples(_ bytes: [UInt8], after reader: inout PNMHeaderReader, count: Int, wide: Bool,
                                      header: (width: Int, height: Int, maxval: Int)) throws -> [UInt16] {
        let file = reader.file
        if reader.position < bytes.count {
            guard PNMHeaderReader.isSpace(bytes[reader.position]) else {
                throw DataError.badImage(file: file, reason: "bad header: maxval must be followed by one whitespace byte")
            }
            reader.position += 1
        }
        let expected = count * (wide ? 2 : 1)
        let found = bytes.count - reader.position
        guard found >= expected else {
            throw DataError.badImage(file: file, reason: "truncated pixel data: the header says \(header.width)×"
                + "\(header.height), maxval \(header.maxval), so \(expected) bytes of pixels are expected,"
                + " but only \(found) follow the header")
        }
        let start = reader.position
        if wide {
            return (0..<count).map { UInt16(bytes[start + 2 * $0]) << 8 | UInt16(bytes[start + 2 * $0 + 1]) }
        }
        return bytes[start..<(start + count)].map { UInt16($0) }
    }

    /// The ASCII raster: `count` whole numbers separated by whitespace.
    private static func asciiSamples(_ bytes: [UInt8], from start: Int, count: Int, file: String,
                                     header: (width: Int, height: Int, maxval: Int)) throws -> [UInt16] {
        var samples: [UInt16] = []
        samples.reserveCapacity(min(count, (bytes.count - start) / 2 + 1))
        var position = start
        while samples.count < count {
            while position < bytes.count, PNMHeaderReader.isSpace(bytes[position]) { position += 1 }
            guard position < bytes.count else { break }
            let tokenStart = position
            var value = 0
            while position < bytes.count, let digit = PNMHeaderReader.digit(bytes[position]) {
                value = min(value * 10 + digit, 1 << 20)
                position += 1
            }
            guard position > tokenStart, position == bytes.count || PNMHeaderReader.isSpace(bytes[position]) else {
                let token = PNMHeaderReader.token(in: bytes, at: tokenStart)
                throw DataError.badImage(file: file, reason: "sample \(samples.count + 1) '\(token)' is not a whole number")
            }
            guard value <= 65535 else {
                throw DataError.badImage(file: file, reason: "sample \(samples.count + 1) (\(value)) is above the header's"
                    + " maxval \(header.maxval)")
            }
            samples.append(UInt16(value))
        }
        guard samples.count == count else {
            throw DataError.badImage(file: file, reason: "truncated pixel data: the header says \(header.width)×"
                + "\(header.height), so \(count) samples are expected, but only \(samples.count) follow the header")
        }
        return samples
    }
}

/// Walks a PNM header field by field, skipping whitespace and `#` comments.
struct PNMHeaderReader {
    /// The whole file.
    let bytes: [UInt8]
    /// The file's path, for errors.
    let file: String
    /// The next byte to read (after the two magic bytes at first).
    var position = 2

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Reads the next whole number, named `name` in errors, which must lie in `range`.
    mutating func field(_ name: String, in range: ClosedRange<Int>) throws -> Int {
        skipSpaceAndComments()
        guard position < bytes.count else {
            throw DataError.badImage(file: file, reason: "bad header: the file ends before the \(name) field")
        }
        let start = position
        var value = 0
        while position < bytes.count, let digit = PNMHeaderReader.digit(bytes[position]) {
            value = min(value * 10 + digit, Int(Int32.max))
            position += 1
        }
        let ended = position == bytes.count || PNMHeaderReader.isSpace(bytes[position]) || bytes[position] == UInt8(ascii: "#")
        guard position > start, ended else {
            let token = PNMHeaderReader.token(in: bytes, at: start)
            throw DataError.badImage(file: file, reason: "bad header field \(name): '\(token)' is not a whole number")
        }
        guard range.contains(value) else {
            throw DataError.badImage(file: file, reason: "bad header field \(name): \(value) is outside"
                + " \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    private mutating func skipSpaceAndComments() {
        while position < bytes.count {
            if PNMHeaderReader.isSpace(bytes[position]) {
                position += 1
            } else if bytes[position] == UInt8(ascii: "#") {
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            } else {
                return
            }
        }
    }

    /// Whether `byte` is PNM whitespace (space, tab, CR, LF, VT, FF).
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// The value of an ASCII digit, else nil.
    static func digit(_ byte: UInt8) -> Int? {
        (0x30...0x39).contains(byte) ? Int(byte - 0x30) : nil
    }

    /// Up to 16 printable characters starting at `start`, for quoting a bad token in a message.
    static func token(in bytes: [UInt8], at start: Int) -> String {
        let end = bytes[start...].firstIndex { isSpace($0) } ?? bytes.count
        let text = bytes[start..<min(end, start + 16)].map { (0x21...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "?" }
        return String(text)
    }
}
