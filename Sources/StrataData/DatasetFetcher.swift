import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc

/// Downloads a built-in dataset from its mirrors into a folder (the user cache by default).
///
/// Each file is tried on every mirror in turn; a download is written to a temporary file in the target
/// folder, its decompressed content is checked against the published SHA-256, and only then is it renamed
/// into place, so an interrupted or corrupt download never looks like a dataset. This is the library side of
/// `strata data fetch <name>`.
///
/// ```swift
/// let report = try DatasetFetcher.fetch(.mnist)
/// print(report)   // one line per file: downloaded from … / already present
/// ```
public enum DatasetFetcher {
    /// Fetches the dataset called `name` (see `BuiltinDataset(name:)`).
    public static func fetch(name: String, into folder: URL? = nil, mirrors: [URL]? = nil,
                             progress: ((String) -> Void)? = nil) throws -> FetchReport {
        try fetch(BuiltinDataset(name: name), into: folder, mirrors: mirrors, progress: progress)
    }

    /// Makes sure `folder` (default: the user cache folder) holds every file of `dataset` with the right
    /// checksum, downloading what is missing or wrong from `mirrors` (default: the dataset's public mirrors).
    ///
    /// Throws `DataError.downloadFailed` naming the file and why each mirror failed.
    public static func fetch(_ dataset: BuiltinDataset, into folder: URL? = nil, mirrors: [URL]? = nil,
                             progress: ((String) -> Void)? = nil) throws -> FetchReport {
        let target = folder ?? DatasetLocator().cacheFolder(for: dataset)
        do {
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        } catch {
            throw DataError.unreadable(file: target.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        return try fetch(dataset.files, of: dataset, into: target, mirrors: mirrors ?? dataset.mirrors,
                         progress: progress)
    }

    /// Fetches `files` of `dataset` into `folder` (which exists) from `mirrors`.
    static func fetch(_ files: [BuiltinDatasetFile], of dataset: BuiltinDataset, into folder: URL, mirrors: [URL],
                      progress: ((String) -> Void)?) throws -> FetchReport {
        let results = try files.map { try fetch($0, into: folder, mirrors: mirrors, progress: progress) }
        return FetchReport(dataset: dataset, folder: folder, files: results)
    }

    /// Fetches one file unless a verified copy is already there.
    static func fetch(_ file: BuiltinDatasetFile, into folder: URL, mirrors: [URL],
                      progress: ((String) -> Void)?) throws -> FetchedFile {
        let final = folder.appendingPathComponent(file.gzipName)
        for existing in [final, folder.appendingPathComponent(file.name)]
        where FileManager.default.fileExists(atPath: existing.path) {
            if (try? verify(existing, against: file)) != nil {
                return FetchedFile(name: file.gzipName, source: nil, failedAttempts: [])
            }
            progress?("\(existing.lastPathComponent): present but does not match its SHA-256; downloading again")
        }
        var attempts: [String] = []
        let temporary = folder.appendingPathComponent(".\(file.gzipName).\(getpid()).partial")
        defer { try? FileManager.default.removeItem(at: temporary) }
        for mirror in mirrors {
            let url = mirror.appendingPathComponent(file.gzipName)
            progress?("downloading \(url.absoluteString)")
            do {
                try? FileManager.default.removeItem(at: temporary)
                try download(url, to: temporary)
                try verify(temporary, against: file, reportAs: url.absoluteString)
                guard rename(temporary.path, final.path) == 0 else {
                    throw DataError.unreadable(file: final.path, reason: String(cString: strerror(errno)))
                }
                return FetchedFile(name: file.gzipName, source: url, failedAttempts: attempts)
            } catch {
                attempts.append("\(url.absoluteString): \(error)")
            }
        }
        throw DataError.downloadFailed(file: file.gzipName, attempts: attempts)
    }

    /// Checks that `url` is gzip (when named `.gz`) and that its decompressed content has `file`'s SHA-256.
    public static func verify(_ url: URL, against file: BuiltinDatasetFile, reportAs name: String? = nil) throws {
        let stream = try PlainFileStream(url)
        let magic = try stream.read(upTo: 2)
        if magic != [0x1F, 0x8B] && (url.pathExtension == "gz" || url.pathExtension == "partial") {
            throw DataError.notGzip(file: name ?? url.path, found: magic)
        }
        let digest = try SHA256.hash(contentsOf: url).hex
        guard digest == file.sha256 else {
            throw DataError.checksumMismatch(file: name ?? url.path, expected: file.sha256, actual: digest)
        }
    }

    /// Copies `url` (file://, http:// or https://) to `destination`.
    static func download(_ url: URL, to destination: URL) throws {
        if url.isFileURL {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw DataError.unreadable(file: url.path, reason: "no such file")
            }
            try FileManager.default.copyItem(at: url, to: destination)
            return
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let done = DispatchSemaphore(value: 0)
        let outcome = DownloadOutcome()
        let task = session.downloadTask(with: url) { location, response, error in
            defer { done.signal() }
            if let error {
                outcome.failure = error.localizedDescription
            } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                outcome.failure = "HTTP \(http.statusCode)"
            } else if let location {
                do { try FileManager.default.moveItem(at: location, to: destination) }
                catch { outcome.failure = "cannot save the download: \(error.localizedDescription)" }
            } else {
                outcome.failure = "no data received"
            }
        }
        task.resume()
        done.wait()
        if let failure = outcome.failure { throw DataError.unreadable(file: url.absoluteString, reason: failure) }
    }
}

/// The result of one download, written by URLSession's callback before the waiting thread reads it.
private final class DownloadOutcome: @unchecked Sendable {
    var failure: String?
}

/// What `DatasetFetcher.fetch` did, one entry per file.
public struct FetchReport: Sendable, CustomStringConvertible {
    /// The dataset fetched.
    public let dataset: BuiltinDataset
    /// The folder that now holds the files.
    public let folder: URL
    /// One entry per file.
    public let files: [FetchedFile]

    /// Whether every file was already present and verified (nothing downloaded).
    public var wasAlreadyPresent: Bool { files.allSatisfy { $0.source == nil } }

    /// A few lines for the command line: where the files are and where each came from.
    public var description: String {
        var lines = ["\(dataset.rawValue) in \(folder.path):"]
        for file in files {
            let how = file.source.map { "downloaded from \($0.absoluteString)" } ?? "already present, SHA-256 verified"
            lines.append("  \(file.name): \(how)")
            lines += file.failedAttempts.map { "    (failed first: \($0))" }
        }
        return lines.joined(separator: "\n")
    }
}

/// The outcome for one file of a fetch.
public struct FetchedFile: Sendable {
    /// The file's name in the folder (`train-images-idx3-ubyte.gz`).
    public let name: String
    /// The URL it was downloaded from, or nil when a verified copy was already there.
    public let source: URL?
    /// The mirrors that failed before one worked, each with the reason.
    public let failedAttempts: [String]
}
