import CZlib
import Foundation

/// The decompressed bytes of a gzip file, inflated by zlib as a stream straight into the caller's buffer.
///
/// Concatenated gzip members are read as one stream, as `gunzip` does. A compressed stream that ends early
/// simply gives fewer bytes; `endedCleanly` tells the two cases apart for error messages.
public final class GzipStream: ByteStream {
    /// The compressed file's path.
    public var path: String { file.path }
    /// Unknown: a gzip file does not say how long its content is until the end.
    public var knownLength: Int? { nil }
    /// The size of the compressed file, when it is a regular file.
    public var compressedLength: Int? { file.knownLength }
    /// The most bytes deflate can produce per compressed byte (its limit is about 1032 : 1).
    public static let maximumExpansion = 1032
    /// True once zlib has seen the end of the last gzip member (false while reading or when cut short).
    public private(set) var endedCleanly = false

    private let file: PlainFileStream
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: [UInt8]
    private var inputEnded = false

    /// Starts inflating `file` from its current position; `file` must hold gzip data.
    public init(_ file: PlainFileStream, inputChunk: Int = 1 << 18) throws {
        self.file = file
        input = [UInt8](repeating: 0, count: inputChunk)
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + MAX_WBITS: expect a gzip header and trailer (CRC-32 and length are checked by zlib).
        let status = inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw DataError.corruptGzip(file: file.path, reason: "zlib inflateInit2 failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates into `buffer` until it is full or the compressed data ends.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return 0 }
        return try input.withUnsafeMutableBufferPointer { inputBuffer -> Int in
            var filled = 0
            while filled < buffer.count && !endedCleanly {
                if stream.pointee.avail_in == 0 {
                    if inputEnded { break }
                    let got = try file.read(into: UnsafeMutableRawBufferPointer(inputBuffer))
                    if got == 0 { inputEnded = true; break }
                    stream.pointee.next_in = inputBuffer.baseAddress
                    stream.pointee.avail_in = uInt(got)
                }
                let want = min(buffer.count - filled, 1 << 30)  // avail_out is 32-bit
                stream.pointee.next_out = base + filled
                stream.pointee.avail_out = uInt(want)
                let status = inflate(stream, Z_NO_FLUSH)
                filled += want - Int(stream.pointee.avail_out)
                switch status {
                case Z_OK, Z_BUF_ERROR:
                    continue
                case Z_STREAM_END:
                    if try nextMemberFollows(inputBuffer) {
                        inflateReset(stream)
                    } else {
                        endedCleanly = true
                    }
                default:
                    let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw DataError.corruptGzip(file: file.path, reason: message)
                }
            }
            return filled
        }
    }

    /// After a member's end: whether another gzip member follows (refilling the input if needed).
    private func nextMemberFollows(_ inputBuffer: UnsafeMutableBufferPointer<UInt8>) throws -> Bool {
        if stream.pointee.avail_in == 0 && !inputEnded {
            let got = try file.read(into: UnsafeMutableRawBufferPointer(inputBuffer))
            if got == 0 { inputEnded = true } else {
                stream.pointee.next_in = inputBuffer.baseAddress
                stream.pointee.avail_in = uInt(got)
            }
        }
        return stream.pointee.avail_in > 0
    }
}

/// gzip compression of whole buffers (for writing fixtures and cached files).
public enum Gzip {
    /// `bytes` compressed as one gzip member at the given zlib level (0–9).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "Gzip.compress: deflateInit2 failed (\(status))")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        let written = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination -> Int in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                let result = deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "Gzip.compress: deflate did not finish (\(result))")
                return destination.count - Int(stream.avail_out)
            }
        }
        output.removeLast(output.count - written)
        return output
    }
}
