import Foundation

/// The SQLite store of training runs (`runs/strata.sqlite` by default): experiments, runs, their
/// parameters, metrics per step, each metric's latest and best value, and the files of their folders.
/// SQLite through its C API (the system's libsqlite3), in WAL mode, so readers (`strata runs`, a
/// dashboard) read while a run writes; writers wait up to `busyTimeout` seconds for one another.
///
/// ```swift
/// let store = try RunStore(path: "runs/strata.sqlite")
/// let best = try store.runs(where: RunFilter(parsing: "metrics.val_accuracy > 0.9"),
///                           sort: [RunSort(parsing: "-metrics.val_accuracy")], limit: 10)
/// ```
public final class RunStore: Sendable {
    /// A running run whose heartbeat is older than this many seconds is shown as crashed.
    public static let staleHeartbeatSeconds = 120.0
    /// The file's path.
    public let path: String
    /// The connection.
    let database: SQLiteConnection

    /// Opens the store at `path` (creating it and its folder when absent) and applies any new
    /// migration; throws naming the file when it cannot be opened or is not a store.
    public init(path: String, busyTimeout: Double = 10) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            database = try SQLiteConnection(path: path, busyTimeout: busyTimeout)
            try migrate()
        } catch {
            throw TrackingError("tracking store \(path) cannot be opened: \(error)")
        }
    }

    /// Records a new run as running and returns its number; with `continuesFolderRun`, continues
    /// instead the latest unfinished run of the same folder (a resumed run), marking it running again.
    public func beginRun(_ run: NewRun, continuesFolderRun: Bool = false, started: Double? = nil) throws -> Int64 {
        let now = Date().timeIntervalSince1970
        return try database.write {
            if continuesFolderRun, let folder = run.folder,
               let id = try database.query("SELECT id FROM runs WHERE folder = ? AND status != 'finished' ORDER BY id DESC LIMIT 1",
                                           [folder]).first?.int64("id") {
                try database.execute("UPDATE runs SET status = 'running', ended = NULL, heartbeat = ? WHERE id = ?", [now, id])
                try insertParams(run.params, runID: id)
                return id
            }
            try database.execute("INSERT OR IGNORE INTO experiments (name, created) VALUES (?, ?)", [run.experiment, now])
            let experiment = try database.query("SELECT id FROM experiments WHERE name = ?", [run.experiment])[0].int64("id")
            try database.execute("""
                INSERT INTO runs (experiment_id, name, command, status, started, heartbeat, folder, revision, world_size)
                VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)
                """, [experiment, run.name, run.command, started ?? now, now, run.folder, run.revision, run.worldSize])
            let id = database.lastInsertedRowID
            try insertParams(run.params, runID: id)
            return id
        }
    }

    /// Writes `points` of run `runID` in one transaction (a point at a step already recorded replaces
    /// it), updates the metrics' latest and best values and counts, and beats the run's heartbeat.
    public func append(_ points: [MetricPoint], runID: Int64) throws {
        try database.write {
            var added: [String: Int] = [:]
            for point in points {
                let epoch = point.epoch.map { SQLValue.integer(Int64($0)) } ?? .null   // SQLValues: no casts per point
                try database.execute("INSERT OR IGNORE INTO metrics (run_id, name, step, epoch, wall_time, value) VALUES (?, ?, ?, ?, ?, ?)",
                                     values: [.integer(runID), .text(point.name), .integer(Int64(point.step)), epoch,
                                              .real(point.wallTime), .real(point.value)])
                if database.changes == 1 {
                    added[point.name, default: 0] += 1
                } else {
                    try database.execute("UPDATE metrics SET epoch = ?, wall_time = ?, value = ? WHERE run_id = ? AND name = ? AND step = ?",
                                         [point.epoch, point.wallTime, point.value, runID, point.name, point.step])
                    guard database.changes == 1 else {   // ignored for another reason than an existing step
                        throw TrackingError("run \(runID): the point \(point.name) = \(point.value) at step \(point.step) cannot be stored")
                    }
                }
            }
            let summarize = """
                INSERT INTO metric_summaries (run_id, name, latest, latest_step, best, best_step, count) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_id, name) DO UPDATE SET
                    count = count + excluded.count,
                    latest = CASE WHEN excluded.latest_step >= latest_step THEN excluded.latest ELSE latest END,
                    latest_step = max(latest_step, excluded.latest_step),
                    best_step = CASE WHEN excluded.best IS NOT NULL AND (best IS NULL OR (CASE WHEN ? THEN excluded.best > best
                        ELSE excluded.best < best END)) THEN excluded.best_step ELSE best_step END,
                    best = CASE WHEN excluded.best IS NOT NULL AND (best IS NULL OR (CASE WHEN ? THEN excluded.best > best
                        ELSE excluded.best < best END)) THEN excluded.best ELSE best END
                """
            for (name, group) in Dictionary(grouping: points, by: \.name) {
                let lastStep = group.map(\.step).max()!
                let latest = group.last { $0.step == lastStep }!   // the value stored when a batch repeats a step
                let larger = MetricPoint.largerIsBetter(name)
                let best = group.filter(\.isSummary).max { larger ? $0.value < $1.value : $0.value > $1.value }
                try database.execute(summarize, [runID, name, latest.value, latest.step, best?.value, best?.step, added[name] ?? 0,
                                                 larger, larger])
            }
            try database.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", [Date().timeIntervalSince1970, runID])
        }
    }

    /// Marks run `runID` alive now.
    public func beat(runID: Int64) throws {
        try database.execute("UPDATE runs SET heartbeat = ? WHERE id = ? AND status = 'running'", [Date().timeIntervalSince1970, runID])
    }

    /// Ends run `runID` with `status` at `ended` (now by default).
    public func finishRun(_ runID: Int64, status: RunStatus, ended: Double? = nil) throws {
        let now = Date().timeIntervalSince1970
        try database.execute("UPDATE runs SET status = ?, ended = ?, heartbeat = ? WHERE id = ?", [status.rawValue, ended ?? now, now, runID])
    }

    /// Replaces the artifacts recorded for run `runID`.
    public func setArtifacts(_ artifacts: [Artifact], runID: Int64) throws {
        try database.write {
            try database.execute("DELETE FROM artifacts WHERE run_id = ?", [runID])
            for artifact in artifacts {
                try database.execute("INSERT INTO artifacts (run_id, path, kind, bytes, sha256) VALUES (?, ?, ?, ?, ?)",
                                     [runID, artifact.path, artifact.kind, artifact.bytes, artifact.sha256])
            }
        }
    }

    /// The highest step recorded for run `runID` (0 when none).
    public func lastStep(of runID: Int64) throws -> Int {
        try database.query("SELECT max(latest_step) AS step FROM metric_summaries WHERE run_id = ?", [runID]).first?.int("step") ?? 0
    }

    /// Hides (or shows again) the runs `ids` in `list`.
    public func setArchived(_ ids: [Int64], _ archived: Bool) throws {
        try database.write {
            for id in ids { try database.execute("UPDATE runs SET archived = ? WHERE id = ?", [archived, id]) }
        }
    }

    /// Deletes the runs `ids` and everything recorded of them (not their folders), and experiments left empty.
    public func deleteRuns(_ ids: [Int64]) throws {
        try database.write {
            for id in ids { try database.execute("DELETE FROM runs WHERE id = ?", [id]) }
            try database.execute("DELETE FROM experiments WHERE id NOT IN (SELECT experiment_id FROM runs)")
        }
    }

    /// Numbers stay numbers (so filters compare them numerically), other values text.
    private func insertParams(_ params: [String: String], runID: Int64) throws {
        for (name, text) in params {
            let value: SQLValue
            if let integer = Int64(text) {
                value = .integer(integer)
            } else if let number = Double(text), number.isFinite, text.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true {
                value = .real(number)
            } else {
                value = .text(text)
            }
            try database.execute("INSERT OR REPLACE INTO params (run_id, name, value) VALUES (?, ?, ?)", [runID, name, value])
        }
    }
}
