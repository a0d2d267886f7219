import Foundation

/// Reads and writes IDX files, plain or gzipped, checking every size before trusting it.
///
/// ```swift
/// let images = try IDXFile.readImages(dir.appendingPathComponent("train-images-idx3-ubyte.gz"))
/// print(images.count, images.height, images.width)   // 60000 28 28
/// ```
public enum IDXFile {
    /// The most bytes of data a header may claim: the machine's physical memory.
    public static var defaultByteLimit: Int {
        Int(clamping: ProcessInfo.processInfo.physicalMemory)
    }

    /// Reads the whole array in `url` (gzip is detected by its magic and inflated as a stream).
    ///
    /// Throws a `DataError` naming the file for a wrong magic number, an unknown type, a header that claims
    /// more than `maxBytes`, data that ends early, or data left over after the header's sizes.
    public static func read(_ url: URL, maxBytes: Int = IDXFile.defaultByteLimit) throws -> IDXArray {
        let stream = try ByteStreams.open(url)
        let file = url.path
        let (elementType, shape) = try readHeader(stream)
        let headerBytes = 4 + 4 * shape.count
        let header = IDXArray.describe(shape) + (elementType == .uint8 ? "" : " \(elementType)")

        // Sizes, checked for overflow and against memory before anything is allocated.
        var expected = elementType.byteSize
        var overflow = false
        for size in shape {
            let (product, didOverflow) = expected.multipliedReportingOverflow(by: size)
            overflow = overflow || didOverflow
            expected = product
        }
        if overflow || expected > maxBytes {
            let claimed = shape.reduce(Double(elementType.byteSize)) { $0 * Double($1) }
            let claimedText = overflow ? String(format: "%.3g", claimed) : String(expected)
            throw DataError.tooLarge(file: file, header: header, claimedBytes: claimedText, limitBytes: maxBytes)
        }
        if let length = stream.knownLength {
            let present = length - headerBytes
            if present < expected {
                throw DataError.truncated(file: file, header: header, expectedBytes: expected, endsAfter: present)
            }
            if present > expected {
                throw DataError.trailingData(file: file, header: header, expectedBytes: expected, actualBytes: present)
            }
        }

        if let gzip = stream as? GzipStream, let compressed = gzip.compressedLength,
           expected > GzipStream.maximumExpansion * compressed + 1024 {
            throw DataError.cannotHold(file: file, header: header, expectedBytes: expected, compressedBytes: compressed)
        }

        var got = 0
        let bytes = try [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            got = try stream.read(into: UnsafeMutableRawBufferPointer(buffer))
            initialized = got  // a short read is an error below; nothing else is touched
        }
        if got < expected {
            if let gzip = stream as? GzipStream, !gzip.endedCleanly {
                throw DataError.truncatedGzip(file: file, header: header, expectedBytes: expected, endsAfter: got)
            }
            throw DataError.truncated(file: file, header: header, expectedBytes: expected, endsAfter: got)
        }
        if try stream.hasMoreData() {
            throw DataError.trailingData(file: file, header: header, expectedBytes: expected, actualBytes: nil)
        }
        return IDXArray(elementType: elementType, shape: shape, bytes: bytes)
    }

    /// Reads only the header of `url`: element type and shape.
    public static func readHeader(_ url: URL) throws -> (elementType: IDXElementType, shape: [Int]) {
        try readHeader(ByteStreams.open(url))
    }

    /// Reads the magic number and sizes from the front of `stream`.
    static func readHeader(_ stream: any ByteStream) throws -> (elementType: IDXElementType, shape: [Int]) {
        let magic = try stream.read(upTo: 4)
        if magic.count >= 2 && (magic[0] != 0 || magic[1] != 0) {
            throw DataError.badMagic(file: stream.path, found: magic)
        }
        guard magic.count == 4 else {
            throw DataError.truncatedHeader(file: stream.path, headerBytes: 4, endsAfter: magic.count)
        }
        guard let elementType = IDXElementType(rawValue: magic[2]) else {
            throw DataError.unknownElementType(file: stream.path, code: magic[2])
        }
        let dimensionCount = Int(magic[3])
        let sizeBytes = try stream.read(upTo: 4 * dimensionCount)
        guard sizeBytes.count == 4 * dimensionCount else {
            throw DataError.truncatedHeader(file: stream.path, headerBytes: 4 + 4 * dimensionCount,
                                            endsAfter: 4 + sizeBytes.count)
        }
        let shape = (0..<dimensionCount).map { axis in
            sizeBytes[(4 * axis)..<(4 * axis + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        return (elementType, shape)
    }

    /// Reads an images file: unsigned bytes shaped `(N, H, W)`.
    public static func readImages(_ url: URL, maxBytes: Int = IDXFile.defaultByteLimit) throws -> IDXImages {
        let array = try read(url, maxBytes: maxBytes)
        guard array.elementType == .uint8, array.shape.count == 3 else {
            throw DataError.wrongLayout(file: url.path, expected: "images of unsigned bytes shaped (N, H, W)",
                                        found: "\(array.elementType) shaped \(array.shapeDescription)")
        }
        return IDXImages(pixels: array.bytes, count: array.shape[0], height: array.shape[1], width: array.shape[2])
    }

    /// Reads a labels file: integers shaped `(N)`.
    public static func readLabels(_ url: URL, maxBytes: Int = IDXFile.defaultByteLimit) throws -> [Int] {
        let array = try read(url, maxBytes: maxBytes)
        guard array.shape.count == 1, let labels = array.integers() else {
            throw DataError.wrongLayout(file: url.path, expected: "labels of integers shaped (N)",
                                        found: "\(array.elementType) shaped \(array.shapeDescription)")
        }
        return labels
    }

    /// The bytes of `array` as an IDX file: header then data.
    public static func encode(_ array: IDXArray) -> [UInt8] {
        precondition(array.shape.count <= 255, "IDXFile.encode: at most 255 dimensions, got \(array.shape.count)")
        var bytes: [UInt8] = [0, 0, array.elementType.rawValue, UInt8(array.shape.count)]
        for size in array.shape {
            precondition(size >= 0 && size <= Int(UInt32.max), "IDXFile.encode: size \(size) does not fit in 32 bits")
            withUnsafeBytes(of: UInt32(size).bigEndian) { bytes += $0 }
        }
        return bytes + array.bytes
    }

    /// Writes `array` to `url` atomically (a temporary file, then a rename), gzipped when `compressed`.
    public static func write(_ array: IDXArray, to url: URL, compressed: Bool? = nil) throws {
        let gzip = compressed ?? (url.pathExtension.lowercased() == "gz")
        let encoded = encode(array)
        try AtomicFile.write(Data(gzip ? Gzip.compress(encoded) : encoded), to: url)
    }
}

/// The images of an IDX file: unsigned-byte pixels shaped `(N, H, W)`.
public struct IDXImages: Sendable {
    /// The pixels, row-major `(N, H, W)`.
    public var pixels: [UInt8]
    /// The number of images `N`.
    public var count: Int
    /// The image height `H`.
    public var height: Int
    /// The image width `W`.
    public var width: Int
}
