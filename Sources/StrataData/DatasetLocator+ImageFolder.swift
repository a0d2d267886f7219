import Foundation

extension DatasetLocator {
    /// The folders to look in for the image folder called `name`, in order, each with where it comes from:
    /// `<explicit>/<name>`, the explicit folder itself, `$STRATA_DATA/<name>`, then `<cacheRoot>/<name>`.
    public func imageFolderCandidates(_ name: String) -> [(folder: URL, origin: String)] {
        var result: [(URL, String)] = []
        if let explicit = explicitDirectory {
            result.append((explicit.appendingPathComponent(name), "explicit path"))
            result.append((explicit, "explicit path"))
        }
        if let root = environment["STRATA_DATA"], !root.isEmpty {
            result.append((URL(fileURLWithPath: root).appendingPathComponent(name), "$STRATA_DATA"))
        }
        result.append((cacheRoot.appendingPathComponent(name), "user cache"))
        return result
    }

    /// The first candidate folder that holds class subfolders with image files (`orl-faces/s1/1.pgm`, …).
    ///
    /// Throws `DataError.datasetNotFound`, listing every place looked and why it failed, and where to put the
    /// folder (`BuiltinImageFolder.placementAdvice` for a name Strata knows).
    public func locateImageFolder(_ name: String) throws -> URL {
        var searched: [String] = []
        if explicitDirectory == nil { searched.append("explicit path (--data-dir): none given") }
        for (folder, origin) in imageFolderCandidates(name) {
            if origin == "user cache" && (environment["STRATA_DATA"] ?? "").isEmpty {
                searched.append("$STRATA_DATA/\(name): STRATA_DATA is not set")
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
                searched.append("\(folder.path) (\(origin)): no such folder")
                continue
            }
            if ImageFolderDataset.looksLikeImageFolder(folder) { return folder }
            searched.append("\(folder.path) (\(origin)): no class subfolders holding image files")
        }
        let fix = BuiltinImageFolder(name: name)?.placementAdvice(cacheRoot: cacheRoot)
            ?? "To fix: put the folder (one subfolder per class holding its images) at"
            + " \(cacheRoot.appendingPathComponent(name).path) or $STRATA_DATA/\(name), or pass --data-dir <folder>."
        throw DataError.datasetNotFound(name: name, searched: searched, fix: fix)
    }
}
