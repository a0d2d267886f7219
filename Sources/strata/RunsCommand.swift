import ArgumentParser
import Foundation
import StrataExperiments
import StrataTracking

/// `strata runs`: the runs of the tracking store in the terminal.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show, compare, export, archive, delete and import the runs of the tracking store.",
        discussion: """
        Every training command records its run in runs/strata.sqlite (or --tracking-db, or STRATA_TRACKING_DB). \
        Filters: --where "params.learning_rate < 0.01 and metrics.val_accuracy > 0.9" (metrics.NAME is the best \
        value, latest.NAME the latest; also id, name, experiment, status, command, folder, revision, world_size, \
        started, ended; and, or, not, parentheses). A run is named by its number, its name or its folder.
        """,
        subcommands: [RunsListCommand.self, RunsShowCommand.self, RunsCompareCommand.self, RunsExportCommand.self,
                      RunsArchiveCommand.self, RunsDeleteCommand.self, RunsImportCommand.self],
        defaultSubcommand: RunsListCommand.self)
}

/// The store a `strata runs` command reads.
struct StoreOption: ParsableArguments {
    @Option(name: .customLong("tracking-db"), help: "The tracking store (default: STRATA_TRACKING_DB, else runs/strata.sqlite).")
    var trackingDatabase: String?

    /// The store's path.
    var path: String { TrackingArguments.database(given: trackingDatabase) }

    /// Opens the store; throws naming it when there is none (unless `creating`).
    func open(creating: Bool = false) throws -> RunStore {
        guard creating || FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no tracking store at \(path): training commands create it, or give --tracking-db")
        }
        return try RunStore(path: path)
    }

    /// The runs `references` name, in order; throws naming one that names no run.
    func runs(_ references: [String], in store: RunStore) throws -> [RunRecord] {
        try references.map { try store.run($0) }
    }
}

/// `strata runs list`: a table of runs with chosen parameters and best metrics.
struct RunsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "A table of runs, their parameters and best metrics.")

    @OptionGroup var store: StoreOption

    @Option(name: .customLong("where"), help: "Only runs matching this filter.")
    var filter: String?

    @Option(help: "Sort keys, comma-separated, '-' for largest first (default: newest first), e.g. -metrics.val_accuracy.")
    var sort: String?

    @Option(help: "At most this many runs.")
    var limit: Int?

    @Option(help: "Parameter columns, comma-separated (default: those that differ between the runs listed, up to 6).")
    var params: String?

    @Option(help: "Metric columns (best values), comma-separated (default: up to 5 of the runs' metrics).")
    var metrics: String?

    @Flag(help: "Include archived runs.")
    var all = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more, got \(limit)") }
        if let filter { _ = try RunFilter(parsing: filter) }
        _ = try sortKeys()
    }

    func sortKeys() throws -> [RunSort] {
        try (sort ?? "").split(separator: ",").map { try RunSort(parsing: $0.trimmingCharacters(in: .whitespaces)) }
    }

    func run() throws {
        let store = try self.store.open()
        let filter = try self.filter.map(RunFilter.init(parsing:))
        let sortKeys = try self.sortKeys()
        let runs = try store.runs(where: filter, sort: sortKeys, limit: limit, includeArchived: all)
        guard !runs.isEmpty else {
            print(filter == nil ? "no runs in \(store.path)" : "no run matches --where \"\(self.filter!)\"")
            return
        }
        let ids = runs.map(\.id)
        let params = try store.params(of: ids), summaries = try store.summaries(of: ids)
        let named = (filter.map(Self.fields) ?? []) + sortKeys.map(\.field)
        let paramColumns = self.params.map(Self.names) ?? Self.defaultParams(params: params, ids: ids, named: named)
        let metricColumns = self.metrics.map(Self.names) ?? Self.defaultMetrics(summaries: summaries, named: named)
        var table = TextTable(["id", "name", "experiment", "status", "started", "time"] + paramColumns + metricColumns)
        let now = Date().timeIntervalSince1970
        for run in runs {
            let seconds = (run.ended ?? (run.status == .running ? now : run.heartbeat)) - run.started
            table.add([String(run.id), run.name, run.experiment, run.displayedStatus(now: now) + (run.archived ? " (archived)" : ""),
                       TextTable.date(run.started), TextTable.duration(seconds)]
                      + paramColumns.map { params[run.id]?[$0] ?? "-" }
                      + metricColumns.map { name in summaries[run.id]?[name].map { TextTable.number($0.best ?? $0.latest) } ?? "-" })
        }
        print(table.text)
    }

    /// The fields a filter names, in order.
    static func fields(of filter: RunFilter) -> [RunField] {
        switch filter {
        case .comparison(let field, _, _): return [field]
        case .and(let left, let right), .or(let left, let right): return fields(of: left) + fields(of: right)
        case .not(let inner): return fields(of: inner)
        }
    }

    static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The parameters named by the filter and sort, then those whose values differ between the runs, up to 6.
    static func defaultParams(params: [Int64: [String: String]], ids: [Int64], named: [RunField]) -> [String] {
        var columns: [String] = []
        for case .param(let name) in named where !columns.contains(name) { columns.append(name) }
        let all = Set(params.values.flatMap(\.keys)).sorted()
        for name in all where !columns.contains(name) && columns.count < 6 {
            if Set(ids.map { params[$0]?[name] ?? "" }).count > 1 { columns.append(name) }
        }
        return columns
    }

    /// The metrics named by the filter and sort, then test, validation and training metrics, up to 5.
    static func defaultMetrics(summaries: [Int64: [String: MetricSummary]], named: [RunField]) -> [String] {
        var columns: [String] = []
        for field in named {
            if case .bestMetric(let name) = field, !columns.contains(name) { columns.append(name) }
            if case .latestMetric(let name) = field, !columns.contains(name) { columns.append(name) }
        }
        func measuresQuality(_ name: String) -> Bool {
            MetricPoint.largerIsBetter(name) || ["loss", "error", "mse"].contains { name.contains($0) }
        }
        func rank(_ name: String) -> Int { name.hasPrefix("test_") ? 0 : name.hasPrefix("val_") ? 1 : 2 }
        let all = Set(summaries.values.flatMap { $0.values.filter { $0.best != nil }.map(\.name) })
            .filter(measuresQuality).sorted { (rank($0), $0) < (rank($1), $1) }
        for name in all where !columns.contains(name) && columns.count < 5 { columns.append(name) }
        return columns
    }
}
