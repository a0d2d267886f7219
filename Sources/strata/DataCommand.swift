import ArgumentParser
import Foundation
import StrataData

/// `strata data`: find, download and describe the built-in datasets and folders of images.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Download and describe the built-in datasets and image folders.",
        subcommands: [Fetch.self, Info.self])

    /// `strata data fetch <name>`.
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a dataset into the user cache (mirrors tried in turn, SHA-256 checked).")

        @Argument(help: "mnist or fashion-mnist (orl-faces has no download: this says where to put it).")
        var name: String

        @Option(help: "The folder to download into (default: ~/.cache/strata/<name>).")
        var into: String?

        func run() throws {
            if let folder = BuiltinImageFolder(name: name) {
                // No checksummed download: report where it already is, or say where to put it and fail.
                let locator = DatasetLocator()
                if let found = try? locator.locateImageFolder(folder.rawValue) {
                    say("\(folder.rawValue): already in place at \(found.path); nothing to download.")
                    return
                }
                throw DataError.invalidRequest(reason: "\(folder.rawValue): not found. "
                    + folder.placementAdvice(cacheRoot: locator.cacheRoot))
            }
            let report = try DatasetFetcher.fetch(name: name, into: into.map { URL(fileURLWithPath: $0) },
                                                  progress: { say($0) })
            say(report.description)
        }
    }

    /// `strata data info <name or folder>`.
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a dataset's counts, image shape and per-class counts.")

        @Argument(help: "mnist, fashion-mnist, orl-faces, or the path of a folder with one subfolder of images per class.")
        var name: String

        @Option(name: .customLong("data-dir"), help: "A folder to look for the dataset in first.")
        var dataDirectory: String?

        func run() throws {
            let locator = DatasetLocator(explicitDirectory: dataDirectory.map { URL(fileURLWithPath: $0) })
            if let folder = BuiltinImageFolder(name: name) {
                let found = try locator.locateImageFolder(folder.rawValue)
                say(try ImageFolderInfo(folder: found, dataset: folder).report())
                return
            }
            guard let dataset = try? BuiltinDataset(name: name) else {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: name, isDirectory: &isFolder), isFolder.boolValue {
                    let url = URL(fileURLWithPath: name)
                    let known = BuiltinImageFolder(name: url.standardizedFileURL.lastPathComponent)
                    say(try ImageFolderInfo(folder: url, dataset: known).report())
                    return
                }
                throw DataError.unknownDataset(name: name, known: BuiltinDataset.allCases.map(\.rawValue)
                    + BuiltinImageFolder.allCases.map(\.rawValue) + ["or the path of an image folder"])
            }
            say(try DatasetInfo(dataset, locator: locator).report())
        }
    }
}
