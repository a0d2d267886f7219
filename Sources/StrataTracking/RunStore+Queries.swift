import Foundation

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
        return try database.query(sql, arguments.map(Self.sqlValue)).map(Self.record)
    }

    /// The run `reference` names: its number, its name (when no other run has it) or its folder's path;
    /// throws naming the reference when there is no such run or the name is ambiguous.
    public func run(_ reference: String) throws -> RunRecord {
        let base = "SELECT runs.*, experiments.name AS experiment FROM runs JOIN experiments ON experiments.id = runs.experiment_id"
        let folder = URL(fileURLWithPath: reference).standardizedFileURL.path
        var rows = try Int64(reference).map { try database.query(base + " WHERE runs.id = ?", [$0]) } ?? []
        if rows.isEmpty { rows = try database.query(base + " WHERE runs.name = ? ORDER BY runs.id", [reference]) }
        if rows.isEmpty { rows = try database.query(base + " WHERE runs.folder = ? ORDER BY runs.id", [folder]) }
        guard let first = rows.first else { throw TrackingError("no run '\(reference)' in \(path); `strata runs list` shows the runs") }
        guard rows.count == 1 else {
            let ids = rows.map { String($0.int64("id")) }.joined(separator: ", ")
            throw TrackingError("the name '\(reference)' belongs to runs \(ids); name one by its number")
        }
        return Self.record(first)
    }

    /// The record, parameters, metric summaries and artifacts of run `id`.
    public func details(of id: Int64) throws -> RunDetails {
        let run = try self.run(String(id))
        let params = try self.params(of: [id])[id] ?? [:]
        let metrics = try summaries(of: [id])[id] ?? [:]
        let artifacts = try database.query("SELECT * FROM artifacts WHERE run_id = ? ORDER BY path", [id]).map {
            Artifact(path: $0.text("path"), kind: $0.text("kind"), bytes: $0.int64("bytes"), sha256: $0.text("sha256"))
        }
        return RunDetails(run: run, params: params, metrics: metrics, artifacts: artifacts)
    }

    /// The parameters of the runs `ids`, by run and name.
    public func params(of ids: [Int64]) throws -> [Int64: [String: String]] {
        var result: [Int64: [String: String]] = [:]
        for row in try database.query("SELECT * FROM params WHERE run_id IN (\(Self.list(ids)))") {
            result[row.int64("run_id"), default: [:]][row.text("name")] = row.text("value")
        }
        return result
    }

    /// The latest and best values and the point count of every metric of the runs `ids`, by run and name.
    public func summaries(of ids: [Int64]) throws -> [Int64: [String: MetricSummary]] {
        var result: [Int64: [String: MetricSummary]] = [:]
        for row in try database.query("SELECT * FROM metric_summaries WHERE run_id IN (\(Self.list(ids)))") {
            let summary = MetricSummary(name: row.text("name"), latest: row.double("latest"), latestStep: row.int("latest_step"),
                                        best: row.optionalDouble("best"), bestStep: row.optionalInt("best_step"), count: row.int("count"))
            result[row.int64("run_id"), default: [:]][summary.name] = summary
        }
        return result
    }

    /// Every point of metric `name` of run `runID`, by step (every metric when `name` is nil, by name then step).
    public func points(runID: Int64, name: String? = nil) throws -> [MetricPoint] {
        let sql = "SELECT name, step, epoch, wall_time, value FROM metrics WHERE run_id = ?" + (name == nil ? "" : " AND name = ?")
            + " ORDER BY name, step"
        var points: [MetricPoint] = []
        try database.scan(sql, [runID] + (name.map { [$0] } ?? [])) { row in
            points.append(MetricPoint(name: name ?? row.text(0), step: Int(row.int64(1)), epoch: row.isNull(2) ? nil : Int(row.int64(2)),
                                      wallTime: row.double(3), value: row.double(4)))
        }
        return points
    }

    /// Writes every point of the runs `ids` as CSV to `handle`, one row per point:
    /// `run_id,run_name,metric,step,epoch,wall_time,value`; returns the number of rows.
    @discardableResult
    public func exportCSV(runIDs ids: [Int64], to handle: FileHandle) throws -> Int {
        handle.write(Data("run_id,run_name,metric,step,epoch,wall_time,value\n".utf8))
        let sql = """
            SELECT m.run_id, r.name AS run_name, m.name, m.step, m.epoch, m.wall_time, m.value
            FROM metrics m JOIN runs r ON r.id = m.run_id WHERE m.run_id IN (\(Self.list(ids))) ORDER BY m.run_id, m.name, m.step
            """
        var rows = 0, text = ""
        try database.each(sql, []) { row in
            let epoch = row.optionalInt("epoch").map(String.init) ?? ""
            text += "\(row.int64("run_id")),\(Self.csvField(row.text("run_name"))),\(Self.csvField(row.text("name"))),"
                + "\(row.int("step")),\(epoch),\(row.double("wall_time")),\(row.double("value"))\n"
            rows += 1
            if text.utf8.count > 1 << 16 { handle.write(Data(text.utf8)); text = "" }
        }
        handle.write(Data(text.utf8))
        return rows
    }

    static func record(_ row: SQLRow) -> RunRecord {
        RunRecord(id: row.int64("id"), experiment: row.text("experiment"), name: row.text("name"), command: row.text("command"),
                  status: RunStatus(rawValue: row.text("status")) ?? .failed, started: row.double("started"),
                  ended: row.optionalDouble("ended"), heartbeat: row.double("heartbeat"), folder: row.optionalText("folder"),
                  revision: row.optionalText("revision"), worldSize: row.int("world_size"), archived: row.int("archived") != 0)
    }

    static func sqlValue(_ value: FilterValue) -> Any? {
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
