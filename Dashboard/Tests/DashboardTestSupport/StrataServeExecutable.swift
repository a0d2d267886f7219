import Foundation

/// The built `strata-serve` that the dashboard's tests start as a process, and how they read its first line
/// (`Serving http://HOST:PORT/`).
public enum StrataServeExecutable {
    /// The `strata-serve` executable next to the test bundle (the build folder on Linux).
    public static var url: URL {
        let bundle = Bundle(for: BundleMarker.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()]
        let folder = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("strata-serve").path) }
        return (folder ?? bundle).appendingPathComponent("strata-serve")
    }

    /// The first line `handle` gives (nil at its end), read a byte at a time so nothing after it is consumed.
    public static func firstLine(of handle: FileHandle) -> String? {
        var bytes = Data()
        while true {
            let chunk = handle.readData(ofLength: 1)
            if chunk.isEmpty { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if chunk == Data("\n".utf8) { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(chunk)
        }
    }
}

/// A class of the test bundle, to find the bundle by.
private final class BundleMarker {}
