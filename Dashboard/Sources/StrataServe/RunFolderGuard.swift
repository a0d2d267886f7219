import Foundation

/// Finds a file of a run's folder for `/runs/<id>/files/<path>`, refusing any path that leaves the folder:
/// `..` parts (403), and files whose real path, symbolic links resolved, lies outside the folder's (403).
enum RunFolderGuard {
    /// The file `relativePath` (its parts, percent-encoded or not) names in `folder`; throws 404 when the run
    /// has no folder or the file is absent, 403 when the path leaves the folder.
    static func file(in folder: String?, relativePath parts: [String]) throws -> URL {
        guard let folder else { throw APIError.notFound("file: the run has no folder") }
        let decoded = parts.map { $0.removingPercentEncoding ?? $0 }
        guard !decoded.isEmpty else { throw APIError.notFound("file: name a file of the run's folder") }
        for part in decoded where part == ".." || part.contains("/") || part.contains("\0") {
            throw APIError(403, "file: '\(decoded.joined(separator: "/"))' leaves the run's folder")
        }
        let root = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath()
        var file = root
        for part in decoded where !part.isEmpty && part != "." { file.appendPathComponent(part) }
        let resolved = file.resolvingSymlinksInPath().standardizedFileURL
        guard resolved.path.hasPrefix(root.path + "/") else {
            throw APIError(403, "file: '\(decoded.joined(separator: "/"))' leaves the run's folder")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw APIError.notFound("file: no file '\(decoded.joined(separator: "/"))' in the run's folder")
        }
        return resolved
    }

    /// The content type of the file at `path`, from its extension.
    static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "svg": return "image/svg+xml"
        case "pdf": return "application/pdf"
        case "html", "htm": return "text/html; charset=utf-8"
        case "json": return "application/json"
        case "csv": return "text/csv; charset=utf-8"
        case "txt", "log", "md": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
