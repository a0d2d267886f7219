import Foundation

/// Writes files so that they appear whole or not at all — the one writer for checkpoints, run files,
/// indexes and datasets. The bytes go to a temporary file in the same folder, which is flushed to disk
/// (`fsync`) and renamed over the target, and the folder is flushed so the rename survives a power
/// loss; on any failure the temporary is removed and the target is left as it was. A process killed
/// at any moment leaves either the old file or the new one, never a mix.
///
/// ```swift
/// try AtomicFile.write(Data(json.utf8), to: folder.appendingPathComponent("metrics.json"))
/// try AtomicFile.write(to: url) { sink in try header.withUnsafeBytes { try sink($0) } }
/// ```
public enum AtomicFile {
    /// A failed write: the file it was for and the step that failed, with the system's reason.
    public struct WriteError: Error, CustomStringConvertible, Equatable, Sendable {
        /// The file that was to be written.
        public let path: String
        /// The step that failed and why ("cannot rename the temporary file over it (Is a directory)").
        public let reason: String
        /// "cannot write <path>: <reason>".
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `data` to `url` atomically; throws `WriteError` naming the path.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { sink in try data.withUnsafeBytes { try sink($0) } }
    }

    /// Hands `body` a sink that appends bytes to a temporary file, then commits it to `url`. Errors of
    /// the file system are `WriteError`s; an error thrown by `body` is rethrown as it is, after the
    /// temporary file is removed.
    public static func write(to url: URL, _ body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent().path
        func failure(_ step: String) -> WriteError {
            WriteError(path: path, reason: "\(step) (\(String(cString: strerror(errno))))")
        }
        let temporary = "\(folder)/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create a temporary file in \(folder)") }
        var isOpen = true
        var committed = false
        defer {
            if isOpen { close(descriptor) }
            if !committed { unlink(temporary) }
        }
        try body { bytes in
            guard var next = bytes.baseAddress else { return }
            var remaining = bytes.count
            while remaining > 0 {
                let written = systemWrite(descriptor, next, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot write to the temporary file \(temporary)")
                }
                next += written
                remaining -= written
            }
        }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush the temporary file \(temporary) to disk") }
        isOpen = false
        guard close(descriptor) == 0 else { throw failure("cannot close the temporary file \(temporary)") }
        if pauseBeforeRename > 0 { usleep(useconds_t(pauseBeforeRename * 1e6)) }
        guard rename(temporary, path) == 0 else { throw failure("cannot rename the temporary file over it") }
        committed = true
        // Make the rename itself durable; a failure here no longer endangers either file.
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    /// Seconds to wait between the flushed temporary file and the rename, from `STRATA_TEST_WRITE_PAUSE`:
    /// a hook for tests that kill a process in the middle of a write (0 when unset).
    static let pauseBeforeRename: Double = {
        guard let text = ProcessInfo.processInfo.environment["STRATA_TEST_WRITE_PAUSE"], let value = Double(text),
              value.isFinite, value > 0 else { return 0 }
        return Swift.min(value, 10)
    }()
}

/// POSIX `write(2)`, named apart from the `write` methods above.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
