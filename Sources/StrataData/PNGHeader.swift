/// The size fields of a PNG's `IHDR` chunk, read before cairo sees the file so that a header claiming more
/// pixels than the file can hold is refused before cairo allocates a surface for them.
struct PNGHeader {
    /// cairo's largest image surface, in pixels a side.
    static let maximumSide = 32767
    /// The most bytes deflate can produce per compressed byte (its limit is about 1032 : 1).
    static let maximumExpansion = 1032

    /// Width in pixels.
    let width: Int
    /// Height in pixels.
    let height: Int
    /// Bits per sample: 1, 2, 4, 8 or 16.
    let bitDepth: Int
    /// Samples per pixel: 1 (grey, palette), 2 (grey and alpha), 3 (RGB) or 4 (RGBA).
    let samplesPerPixel: Int

    /// Reads the `IHDR` of `bytes` (a whole PNG file named `file`) and checks its sizes against cairo's limit and
    /// against what the file's `bytes.count` bytes of compressed data can inflate to.
    init(_ bytes: [UInt8], file: String) throws {
        func bad(_ reason: String) -> DataError { .badImage(file: file, reason: "not a readable PNG: \(reason)") }
        // Signature (8), IHDR length (4) and type (4), then width, height, bit depth, colour type.
        guard bytes.count >= 26, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            throw bad("no IHDR chunk after the signature")
        }
        func field(_ offset: Int) -> Int { bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
        width = field(16)
        height = field(20)
        bitDepth = Int(bytes[24])
        switch bytes[25] {
        case 0, 3: samplesPerPixel = 1
        case 4: samplesPerPixel = 2
        case 2: samplesPerPixel = 3
        case 6: samplesPerPixel = 4
        default: throw bad("unknown colour type \(bytes[25]) in IHDR")
        }
        guard (1...Self.maximumSide).contains(width), (1...Self.maximumSide).contains(height) else {
            throw bad("IHDR says \(width)×\(height) pixels (W×H); each side must be 1…\(Self.maximumSide)")
        }
        guard [1, 2, 4, 8, 16].contains(bitDepth) else { throw bad("IHDR bit depth \(bitDepth) is not 1, 2, 4, 8 or 16") }
        // Each row is one filter byte and its packed samples; deflate cannot make more than ~1032 bytes of one.
        let rowBytes = 1 + (width * samplesPerPixel * bitDepth + 7) / 8
        let rawBytes = height * rowBytes
        guard rawBytes <= Self.maximumExpansion * bytes.count else {
            throw bad("IHDR says \(width)×\(height) pixels (\(rawBytes) bytes uncompressed), more than the file's"
                + " \(bytes.count) bytes can hold; refused before allocating")
        }
    }
}
