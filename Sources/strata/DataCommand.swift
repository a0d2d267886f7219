import ArgumentParser
import Foundation
import StrataData
import StrataExperiments

/// `strata data`: find, download and describe the built-in datasets and folders of images.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Download and describe the built-in datasets and image folders.",
        subcommands: [Fetch.self, Info.self, Export.self])

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

        func validate() throws {
            try OptionCheck.folder(dataDirectory, "--data-dir")
        }

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

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a built-in dataset's images as PNG files in a folder per class (for `strata retrieve enroll` and `query`).",
            discussion: """
            Writes <out>/<class>/<index>.png for the chosen images: all of a part, or the first --per-class \
            images of each class (in the dataset's order), optionally of some classes only.
            """)

        @Argument(help: "mnist or fashion-mnist.")
        var name: String

        @Option(help: "The folder to write into; it must not exist yet.")
        var out: String

        @Option(help: "train or test.")
        var part = "test"

        @Option(name: .customLong("per-class"), help: "Images of each class (default: all).")
        var perClass: Int?

        @Option(help: "The classes to write, as comma-separated indices (default: all).")
        var classes: String?

        @Option(name: .customLong("skip-per-class"), help: "Images of each class to skip first (e.g. the ones enrolled, to write probes).")
        var skipPerClass = 0

        @Option(name: .customLong("data-dir"), help: "A folder to look for the dataset in first.")
        var dataDirectory: String?

        func validate() throws {
            _ = try BuiltinDataset(name: name)
            guard part == "test" || part == "train" else { throw ValidationError("--part must be train or test, got '\(part)'") }
            if let perClass, perClass < 1 { throw ValidationError("--per-class must be at least 1, got \(perClass)") }
            guard skipPerClass >= 0 else { throw ValidationError("--skip-per-class must be at least 0, got \(skipPerClass)") }
            try OptionCheck.folder(dataDirectory, "--data-dir")
            guard !FileManager.default.fileExists(atPath: out) else {
                throw ValidationError("\(out) already exists; choose a new --out folder")
            }
        }

        func run() throws {
            let builtin = try BuiltinDataset(name: name)
            let locator = DatasetLocator(explicitDirectory: dataDirectory.map { URL(fileURLWithPath: $0) })
            let dataset = try Dataset.builtin(builtin, part: part == "test" ? .test : .training, locator: locator)
            var wanted = Set(0..<dataset.classCount)
            if let classes {
                let parsed = classes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil && (0..<dataset.classCount).contains($0!) }) else {
                    throw ValidationError("--classes must be comma-separated indices in 0…\(dataset.classCount - 1), got '\(classes)'")
                }
                wanted = Set(parsed.map { $0! })
            }
            let folder = URL(fileURLWithPath: out)
            var seen = [Int](repeating: 0, count: dataset.classCount)
            var written = 0
            for index in 0..<dataset.count where wanted.contains(dataset.labels[index]) {
                let label = dataset.labels[index]
                seen[label] += 1
                guard seen[label] > skipPerClass, perClass.map({ seen[label] <= skipPerClass + $0 }) ?? true else { continue }
                let classFolder = folder.appendingPathComponent(dataset.classNames[label].replacingOccurrences(of: "/", with: "_"))
                try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
                try ImageFolderDataset.writePNG(dataset.image(at: index), channels: dataset.channels, height: dataset.height,
                                                width: dataset.width, to: classFolder.appendingPathComponent("\(index).png"))
                written += 1
            }
            say("wrote \(written) images of \(wanted.count) classes to \(folder.path)")
        }
    }
}
