import Foundation
import Glibc

/// A source of bytes read front to back: a plain file or the decompressed content of a gzip file.
public protocol ByteStream: AnyObject {
    /// The file the bytes come from, for error messages.
    var path: String { get }
    /// The total number of bytes the stream will give, when known without reading it (plain files).
    var knownLength: Int? { get }
    /// Fills `buffer` as far as the data allows and returns how many bytes were written (less only at the end).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteStream {
    /// Reads up to `count` bytes into a new array (fewer only at the end of the data).
    public func read(upTo count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try read(into: $0) }
        bytes.removeLast(count - got)
        return bytes
    }

    /// Whether any byte is left to read (consumes at most one byte).
    public func hasMoreData() throws -> Bool {
        var probe: UInt8 = 0
        return try withUnsafeMutableBytes(of: &probe) { try read(into: $0) } > 0
    }
}

/// Opens byte streams by looking at a file's name and first bytes.
public enum ByteStreams {
    /// The stream for `url`: decompressed through zlib when the file is gzip, plain otherwise.
    ///
    /// A file named `.gz` that does not start with the gzip magic `1f 8b` is refused with `DataError.notGzip`;
    /// a gzip file with another name is still decompressed.
    public static func open(_ url: URL) throws -> any ByteStream {
        let file = try PlainFileStream(url)
        let magic = try file.read(upTo: 2)
        try file.rewind()
        let isGzip = magic == [0x1F, 0x8B]
        if url.pathExtension.lowercased() == "gz" && !isGzip {
            throw DataError.notGzip(file: url.path, found: magic)
        }
        return isGzip ? try GzipStream(file) : file
    }

    /// The whole (decompressed) content of `url`; throws `DataError.contentTooLarge` naming the file as soon as
    /// it passes `maxBytes` (a small gzip file can inflate to a thousand times its size).
    public static func readAll(_ url: URL, maxBytes: Int = IDXFile.defaultByteLimit) throws -> [UInt8] {
        let stream = try open(url)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let got = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
            if got == 0 { return bytes }
            guard got <= maxBytes - bytes.count else { throw DataError.contentTooLarge(file: url.path, limitBytes: maxBytes) }
            bytes.append(contentsOf: chunk[0..<got])
        }
    }
}

/// The bytes of a file on disk, read with POSIX `read` straight into the caller's buffer.
public final class PlainFileStream: ByteStream {
    /// The file's path.
    public let path: String
    /// The file's size in bytes.
    public let knownLength: Int?
    private let descriptor: Int32

    /// Opens `url` for reading; throws `DataError.unreadable` naming the file when it cannot be opened.
    public init(_ url: URL) throws {
        path = url.path
        descriptor = Glibc.open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw DataError.unreadable(file: url.path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG {
            knownLength = Int(status.st_size)
        } else {
            knownLength = nil
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(descriptor)
            throw DataError.unreadable(file: url.path, reason: "is a folder, not a file")
        }
    }

    deinit { Glibc.close(descriptor) }

    /// Goes back to the first byte.
    public func rewind() throws {
        if lseek(descriptor, 0, SEEK_SET) < 0 {
            throw DataError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Reads until `buffer` is full or the file ends.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            let got = Glibc.read(descriptor, base + filled, buffer.count - filled)
            if got < 0 {
                if errno == EINTR { continue }
                throw DataError.unreadable(file: path, reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            filled += got
        }
        return filled
    }
}
