import ArgumentParser
import Foundation
import StrataData

/// `strata data`: find, download and describe the built-in datasets.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Download and describe the built-in datasets.",
        subcommands: [Fetch.self, Info.self])

    /// `strata data fetch <name>`.
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a dataset into the user cache (mirrors tried in turn, SHA-256 checked).")

        @Argument(help: "mnist or fashion-mnist.")
        var name: String

        @Option(help: "The folder to download into (default: ~/.cache/strata/<name>).")
        var into: String?

        func run() throws {
            let report = try DatasetFetcher.fetch(name: name, into: into.map { URL(fileURLWithPath: $0) },
                                                  progress: { say($0) })
            say(report.description)
        }
    }

    /// `strata data info <name>`.
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a dataset's counts, image shape and per-class counts.")

        @Argument(help: "mnist or fashion-mnist.")
        var name: String

        @Option(name: .customLong("data-dir"), help: "A folder to look for the dataset in first.")
        var dataDirectory: String?

        func run() throws {
            let dataset = try BuiltinDataset(name: name)
            let locator = DatasetLocator(explicitDirectory: dataDirectory.map { URL(fileURLWithPath: $0) })
            say(try DatasetInfo(dataset, locator: locator).report())
        }
    }
}
