import Foundation

/// Finds a built-in dataset's files on disk, looking in a fixed order and remembering why each place failed.
///
/// The order: an explicit folder (API argument or `--data-dir`, holding the files or a `<name>/` folder);
/// `$STRATA_DATA/<name>/`; the user cache `~/.cache/strata/<name>/` (`$XDG_CACHE_HOME/strata/<name>/` when
/// that is set); then operating-system folders such as Debian's `/usr/share/datasets/fashion-mnist/`.
/// Each file may be stored plain or gzipped (`<file>` or `<file>.gz`).
public struct DatasetLocator: Sendable {
    /// The folder given explicitly, looked in first.
    public var explicitDirectory: URL?
    /// The environment (`STRATA_DATA`, `XDG_CACHE_HOME`, `HOME`); injectable for tests.
    public var environment: [String: String]
    /// Whether to look in operating-system folders (`BuiltinDataset.systemFolders`).
    public var includeSystemFolders: Bool

    /// A locator over the process environment, with an optional explicit folder.
    public init(explicitDirectory: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                includeSystemFolders: Bool = true) {
        self.explicitDirectory = explicitDirectory
        self.environment = environment
        self.includeSystemFolders = includeSystemFolders
    }

    /// The root of Strata's user cache: `$XDG_CACHE_HOME/strata`, else `$HOME/.cache/strata`.
    public var cacheRoot: URL {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("strata")
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/strata")
    }

    /// The cache folder for `dataset`, where `DatasetFetcher` downloads it.
    public func cacheFolder(for dataset: BuiltinDataset) -> URL {
        cacheRoot.appendingPathComponent(dataset.rawValue)
    }

    /// The folders to look in, in order, each with a phrase saying where it comes from.
    public func candidates(for dataset: BuiltinDataset) -> [(folder: URL, origin: String)] {
        var result: [(URL, String)] = []
        if let explicit = explicitDirectory {
            result.append((explicit, "explicit path"))
            result.append((explicit.appendingPathComponent(dataset.rawValue), "explicit path"))
        }
        if let root = environment["STRATA_DATA"], !root.isEmpty {
            result.append((URL(fileURLWithPath: root).appendingPathComponent(dataset.rawValue), "$STRATA_DATA"))
        }
        result.append((cacheFolder(for: dataset), "user cache"))
        if includeSystemFolders {
            for folder in dataset.systemFolders { result.append((folder, "system package")) }
        }
        return result
    }

    /// The first folder that holds all four files of `dataset`.
    ///
    /// Throws `DataError.datasetNotFound`, listing every place looked and why it failed, and the fix.
    public func locate(_ dataset: BuiltinDataset) throws -> URL {
        var searched: [String] = []
        if explicitDirectory == nil { searched.append("explicit path (--data-dir): none given") }
        for (folder, origin) in candidates(for: dataset) {
            if origin == "user cache" && (environment["STRATA_DATA"] ?? "").isEmpty {
                searched.append("$STRATA_DATA/\(dataset.rawValue): STRATA_DATA is not set")
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
                searched.append("\(folder.path) (\(origin)): no such folder")
                continue
            }
            let missing = dataset.files.filter { existingFile($0, in: folder) == nil }
            if missing.isEmpty { return folder }
            searched.append("\(folder.path) (\(origin)): missing "
                + missing.map { "\($0.name)[.gz]" }.joined(separator: ", "))
        }
        var fix = "To fix: run `strata data fetch \(dataset.rawValue)` (downloads into \(cacheFolder(for: dataset).path)),"
            + " or set STRATA_DATA to a folder holding \(dataset.rawValue)/, or pass --data-dir <folder>."
        if dataset == .fashionMNIST {
            fix += " Offline on Debian: `apt install dataset-fashion-mnist`."
        }
        throw DataError.datasetNotFound(name: dataset.rawValue, searched: searched, fix: fix)
    }

    /// The file in `folder` that holds `file`: the plain one if present, else the gzipped one, else nil.
    public func existingFile(_ file: BuiltinDatasetFile, in folder: URL) -> URL? {
        for name in [file.name, file.gzipName] {
            let url = folder.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue {
                return url
            }
        }
        return nil
    }
}
