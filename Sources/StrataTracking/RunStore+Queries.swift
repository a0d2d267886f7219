import Foundation
import GRDB

extension RunStore {
    /// The runs matching `filter` (all when nil), ordered by `sort` (newest first when empty; runs without
    /// a sort key's value last), at most `limit`; archived runs only with `includeArchived`.
    public func runs(where filter: RunFilter? = nil, sort: [RunSort] = [], limit: Int? = nil,
                     includeArchived: Bool = false, now: Double = Date().timeIntervalSince1970) throws -> [RunRecord] {
        let staleBefore = now - Self.staleHeartbeatSeconds
        var conditions: [String] = [], arguments: [FilterValue] = []
        if !includeArchived { conditions.append("runs.archived = 0") }
        if let filter {
            let (sql, values) = filter.sql(staleBefore: staleBefore)
            conditions.append(sql)
            arguments += values
        }
        var order: [String] = []
        for key in sort {
            let (expression, values) = key.field.sql(staleBefore: staleBefore)
            order.append("(\(expression)) IS NULL, (\(expression)) \(key.descending ? "DESC" : "ASC")")
            arguments += values + values
        }
        order.append("runs.id DESC")
        var sql = "SELECT runs.*, experiments.name AS experiment FROM runs JOIN experiments ON experiments.id = runs.experiment_id"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY " + order.joined(separator: ", ")
        if let limit { sql += " LIMIT \(max(0, limit))" }
        let statementArguments = StatementArguments(arguments.map(Self.databaseValue))
        return try pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(Self.record)
        }
    }

    /// The run `reference` names: its number, its name (when no other run has it) or its folder's path;
    /// throws naming the reference when there is no such run or the name is ambiguous.
    public func run(_ reference: String) throws -> RunRecord {
        let base = "SELECT runs.*, experiments.name AS experiment FROM runs JOIN experiments ON experiments.id = runs.experiment_id"
        let folder = URL(fileURLWithPath: reference).standardizedFileURL.path
        let rows = try pool.read { db -> [Row] in
            if let id = Int64(reference), let row = try Row.fetchOne(db, sql: base + " WHERE runs.id = ?", arguments: [id]) {
                return [row]
            }
            let byName = try Row.fetchAll(db, sql: base + " WHERE runs.name = ? ORDER BY runs.id", arguments: [reference])
            return byName.isEmpty ? try Row.fetchAll(db, sql: base + " WHERE runs.folder = ? ORDER BY runs.id", arguments: [folder]) : byName
        }
        guard let first = rows.first else { throw TrackingError("no run '\(reference)' in \(path); `strata runs list` shows the runs") }
        guard rows.count == 1 else {
            let ids = rows.map { String($0["id"] as Int64) }.joined(separator: ", ")
            throw TrackingError("the name '\(reference)' belongs to runs \(ids); name one by its number")
        }
        return Self.record(first)
    }

    /// The record, parameters, metric summaries and artifacts of run `id`.
    public func details(of id: Int64) throws -> RunDetails {
        let run = try self.run(String(id))
        let params = try self.params(of: [id])[id] ?? [:]
        let metrics = try summaries(of: [id])[id] ?? [:]
        let artifacts = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM artifacts WHERE run_id = ? ORDER BY path", arguments: [id]).map {
                Artifact(path: $0["path"], kind: $0["kind"], bytes: $0["bytes"], sha256: $0["sha256"])
            }
        }
        return RunDetails(run: run, params: params, metrics: metrics, artifacts: artifacts)
    }

    /// The parameters of the runs `ids`, by run and name.
    public func params(of ids: [Int64]) throws -> [Int64: [String: String]] {
        try pool.read { db in
            var result: [Int64: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM params WHERE run_id IN (\(Self.list(ids)))") {
                result[row["run_id"], default: [:]][row["name"]] = Self.text(row["value"] as DatabaseValue)
            }
            return result
        }
    }

    /// The latest and best values of every metric of the runs `ids`, by run and name.
    public func summaries(of ids: [Int64]) throws -> [Int64: [String: MetricSummary]] {
        try pool.read { db in
            var result: [Int64: [String: MetricSummary]] = [:]
            let sql = """
                SELECT s.*, (SELECT count(*) FROM metrics m WHERE m.run_id = s.run_id AND m.name = s.name) AS count
                FROM metric_summaries s WHERE s.run_id IN (\(Self.list(ids)))
                """
            for row in try Row.fetchAll(db, sql: sql) {
                let summary = MetricSummary(name: row["name"], latest: row["latest"], latestStep: row["latest_step"],
                                            best: row["best"], bestStep: row["best_step"], count: row["count"])
                result[row["run_id"], default: [:]][summary.name] = summary
            }
            return result
        }
    }

    /// Every point of metric `name` of run `runID`, by step (every metric when `name` is nil, by name then step).
    public func points(runID: Int64, name: String? = nil) throws -> [MetricPoint] {
        try pool.read { db in
            let sql = "SELECT * FROM metrics WHERE run_id = ?" + (name == nil ? "" : " AND name = ?") + " ORDER BY name, step"
            let arguments: StatementArguments = name.map { [runID, $0] } ?? [runID]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                MetricPoint(name: $0["name"], step: $0["step"], epoch: $0["epoch"], wallTime: $0["wall_time"], value: $0["value"])
            }
        }
    }

    /// Writes every point of the runs `ids` as CSV to `handle`, one row per point:
    /// `run_id,run_name,metric,step,epoch,wall_time,value`; returns the number of rows.
    @discardableResult
    public func exportCSV(runIDs ids: [Int64], to handle: FileHandle) throws -> Int {
        try pool.read { db in
            handle.write(Data("run_id,run_name,metric,step,epoch,wall_time,value\n".utf8))
            let sql = """
                SELECT m.run_id, r.name AS run_name, m.name, m.step, m.epoch, m.wall_time, m.value
                FROM metrics m JOIN runs r ON r.id = m.run_id WHERE m.run_id IN (\(Self.list(ids))) ORDER BY m.run_id, m.name, m.step
                """
            var rows = 0, text = ""
            let cursor = try Row.fetchCursor(db, sql: sql)
            while let row = try cursor.next() {
                let epoch = (row["epoch"] as Int?).map(String.init) ?? ""
                text += "\(row["run_id"] as Int64),\(Self.csvField(row["run_name"])),\(Self.csvField(row["name"])),"
                    + "\(row["step"] as Int),\(epoch),\(row["wall_time"] as Double),\(row["value"] as Double)\n"
                rows += 1
                if text.utf8.count > 1 << 16 { handle.write(Data(text.utf8)); text = "" }
            }
            handle.write(Data(text.utf8))
            return rows
        }
    }

    static func record(_ row: Row) -> RunRecord {
        RunRecord(id: row["id"], experiment: row["experiment"], name: row["name"], command: row["command"],
                  status: RunStatus(rawValue: row["status"]) ?? .failed, started: row["started"], ended: row["ended"],
                  heartbeat: row["heartbeat"], folder: row["folder"], revision: row["revision"], worldSize: row["world_size"],
                  archived: row["archived"])
    }

    /// A parameter's stored value as text (numbers in Swift's shortest form).
    static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .int64(let integer): return String(integer)
        case .double(let number): return String(number)
        case .string(let text): return text
        case .blob, .null: return ""
        }
    }

    static func databaseValue(_ value: FilterValue) -> (any DatabaseValueConvertible)? {
        switch value {
        case .number(let number): return number
        case .text(let text): return text
        }
    }

    /// The numbers as an SQL list (numbers only, so nothing to escape).
    static func list(_ ids: [Int64]) -> String { ids.isEmpty ? "NULL" : ids.map(String.init).joined(separator: ",") }

    /// `text` quoted for CSV when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
