import ArgumentParser
import Foundation
import StrataTracking

/// `strata runs show <run>`: everything the store has on one run.
struct RunsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show",
                                                    abstract: "A run's record, parameters, metrics (latest and best) and files.")

    @OptionGroup var store: StoreOption

    @Argument(help: ArgumentHelp("The run: its number, name or folder.", valueName: "run"))
    var reference: String

    func run() throws {
        let store = try self.store.open()
        let details = try store.details(of: try store.run(reference).id)
        print(Self.text(details))
    }

    /// The report printed by `show`.
    static func text(_ details: RunDetails, now: Double = Date().timeIntervalSince1970) -> String {
        let run = details.run
        var lines = ["run \(run.id): \(run.name)"]
        let fields = [
            ("experiment", run.experiment),
            ("status", run.displayedStatus(now: now) + (run.archived ? " (archived)" : "")),
            ("command", run.command),
            ("started", TextTable.date(run.started)),
            ("ended", run.ended.map { "\(TextTable.date($0)) (\(TextTable.duration($0 - run.started)))" } ?? "-"),
            ("heartbeat", TextTable.date(run.heartbeat)),
            ("folder", run.folder ?? "-"),
            ("revision", run.revision ?? "-"),
            ("world size", String(run.worldSize)),
        ]
        lines += fields.map { "  " + $0.0.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.1 }
        if !details.params.isEmpty {
            var table = TextTable(["parameter", "value"])
            for (name, value) in details.params.sorted(by: { $0.key < $1.key }) { table.add([name, value]) }
            lines += ["", table.text]
        }
        if !details.metrics.isEmpty {
            var table = TextTable(["metric", "latest", "step", "best", "best step", "points"])
            for summary in details.metrics.values.sorted(by: { $0.name < $1.name }) {
                table.add([summary.name, TextTable.number(summary.latest), String(summary.latestStep),
                           summary.best.map(TextTable.number) ?? "-", summary.bestStep.map(String.init) ?? "-", String(summary.count)])
            }
            lines += ["", table.text]
        }
        if !details.artifacts.isEmpty {
            var table = TextTable(["file", "kind", "bytes", "sha256"])
            for artifact in details.artifacts {
                table.add([artifact.path, artifact.kind, String(artifact.bytes), String(artifact.sha256.prefix(16))])
            }
            lines += ["", table.text]
        }
        return lines.joined(separator: "\n")
    }
}

/// `strata runs export --csv <file>`: every scalar of the chosen runs in one CSV file.
struct RunsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every metric point of the chosen runs to one CSV file (run_id,run_name,metric,step,epoch,wall_time,value).")

    @OptionGroup var store: StoreOption

    @Option(help: "The CSV file to write ('-': standard output).")
    var csv: String

    @Option(name: .customLong("where"), help: "Only runs matching this filter (when no run is named).")
    var filter: String?

    @Flag(help: "Include archived runs (when no run is named).")
    var all = false

    @Argument(help: "The runs (default: every run matching --where).")
    var runs: [String] = []

    func validate() throws {
        if let filter { _ = try RunFilter(parsing: filter) }
        if filter != nil, !runs.isEmpty { throw ValidationError("name runs or give --where, not both") }
    }

    func run() throws {
        let store = try self.store.open()
        let chosen = runs.isEmpty ? try store.runs(where: filter.map(RunFilter.init(parsing:)), includeArchived: all)
            : try self.store.runs(runs, in: store)
        if csv == "-" {
            try store.exportCSV(runIDs: chosen.map(\.id), to: .standardOutput)
            return
        }
        guard FileManager.default.createFile(atPath: csv, contents: nil), let handle = FileHandle(forWritingAtPath: csv) else {
            throw ValidationError("cannot write --csv \(csv)")
        }
        defer { try? handle.close() }
        let rows = try store.exportCSV(runIDs: chosen.map(\.id), to: handle)
        print("wrote \(rows) points of \(chosen.count) runs to \(csv)")
    }
}
