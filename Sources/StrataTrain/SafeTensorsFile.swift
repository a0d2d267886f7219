import Foundation
import StrataData
import StrataCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes the safetensors format of Hugging Face: named tensors and string metadata in one
/// file that Python (`safetensors`, PyTorch, NumPy, JAX) reads without running code.
///
/// Layout: an 8-byte little-endian header length `N`, `N` bytes of JSON (see `SafeTensorsHeader`),
/// then the raw little-endian elements of every tensor, back to back.
///
/// ```swift
/// try SafeTensorsFile.write(["dense.kernel": kernel, "dense.bias": bias],
///                           metadata: ["epoch": "3"], to: url)
/// let (tensors, metadata) = try SafeTensorsFile.read(from: url)
/// ```
///
/// Writing stores Float32 (`F32`) only and is atomic. Reading converts every other supported dtype
/// to Float32 (see `SafeTensorsDType`); exact integer state belongs in the metadata as strings.
public enum SafeTensorsFile {
    /// Writes `tensors` (any layout; each is stored dense) and `metadata` to `url`, replacing it atomically.
    ///
    /// Names are sorted in the header and the data, as the Python library writes them. The bytes go to a
    /// temporary file beside `url`, which is flushed to disk and then renamed over `url`, so an
    /// interrupted or failed save leaves any earlier file at `url` untouched and no temporary behind.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        guard tensors[SafeTensorsHeader.metadataKey] == nil else {
            throw CheckpointError.invalidInput(path: url.path,
                reason: "'\(SafeTensorsHeader.metadataKey)' is reserved for the metadata and cannot name a tensor")
        }
        let names = tensors.keys.sorted()
        // Not recorded on the tape: a copy only for tensors that are views with gaps.
        let dense = names.map { tensors[$0]!.detached().contiguous() }
        let header = SafeTensorsHeader.encoded(float32: zip(names, dense).map { ($0, $1.shape) },
                                               metadata: metadata)
        do {
            try AtomicFile.write(to: url) { sink in
                var length = UInt64(header.count).littleEndian
                try withUnsafeBytes(of: &length) { try sink($0) }
                try header.withUnsafeBytes { try sink($0) }
                for tensor in dense {
                    try sink(UnsafeRawBufferPointer(start: tensor.pointer, count: tensor.count * MemoryLayout<Float>.size))
                }
            }
        } catch let error as AtomicFile.WriteError {
            throw CheckpointError.io(path: error.path, action: "write safetensors file", reason: error.reason)
        }
    }

    /// Reads every tensor (converted to Float32) and the metadata of the safetensors file at `url`.
    ///
    /// Throws `CheckpointError` naming the file and the fault when it cannot be read, is not a valid
    /// safetensors file (see `SafeTensorsHeader` for the rules), or holds a dtype Strata cannot load.
    public static func read(from url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError.io(path: path, action: "read safetensors file", reason: reason(error))
        }
        let headerLength = try headerByteCount(prefix: data.prefix(8), fileSize: data.count, path: path)
        let dataStart = 8 + headerLength
        let header = try SafeTensorsHeader(json: Data(data[8..<dataStart]),
                                           dataByteCount: data.count - dataStart, path: path)
        var tensors: [String: Tensor] = [:]
        data.withUnsafeBytes { (file: UnsafeRawBufferPointer) in
            let base = file.baseAddress! + dataStart
            for entry in header.entries {
                let tensor = Tensor(uninitializedShape: entry.shape)
                entry.dtype.convert(base + entry.byteRange.lowerBound, count: tensor.count, into: tensor.pointer)
                tensors[entry.name] = tensor
            }
        }
        return (tensors, header.metadata)
    }

    /// Reads and validates only the header of the file at `url` (names, dtypes, shapes, metadata).
    public static func readHeader(from url: URL) throws -> SafeTensorsHeader {
        let path = url.path
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let fileSize = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let prefix = try handle.read(upToCount: 8) ?? Data()
            let headerLength = try headerByteCount(prefix: prefix, fileSize: fileSize, path: path)
            let json = try handle.read(upToCount: headerLength) ?? Data()
            return try SafeTensorsHeader(json: json, dataByteCount: fileSize - 8 - headerLength, path: path)
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError.io(path: path, action: "read safetensors file", reason: reason(error))
        }
    }

    /// The header length stored in the first 8 bytes, checked against the file size and the 100 MB limit.
    private static func headerByteCount(prefix: Data, fileSize: Int, path: String) throws -> Int {
        guard prefix.count == 8, fileSize >= 8 else {
            throw CheckpointError.corrupt(path: path, reason: "the file is \(fileSize) bytes long, too short "
                + "for the 8-byte header length that starts every safetensors file")
        }
        let length = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= UInt64(SafeTensorsHeader.maximumByteCount) else {
            throw CheckpointError.corrupt(path: path, reason: "the header length \(length) exceeds the limit of "
                + "\(SafeTensorsHeader.maximumByteCount) bytes (this is probably not a safetensors file)")
        }
        guard length <= UInt64(fileSize - 8) else {
            throw CheckpointError.corrupt(path: path, reason: "the header length \(length) is larger than the "
                + "\(fileSize - 8) bytes after the length prefix (the file is truncated)")
        }
        return Int(length)
    }

    /// The system's message for a Foundation error, without its wrapping.
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == CocoaError.fileReadNoSuchFile.rawValue {
            return "no such file"
        }
        return nsError.localizedDescription
    }
}
