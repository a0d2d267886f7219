import XCTest
@testable import StrataTracking

/// The store on temporary files: migrations, summaries, filters, sorting, export, archive and delete.
final class RunStoreTests: XCTestCase {
    private var file: TrackingStoreFile!

    override func setUp() { file = TrackingStoreFile() }
    override func tearDown() { file.remove() }

    func testMigrationsBuildTheSchemaFromAnEmptyFileOnceInWALMode() throws {
        let store = try file.open()
        let applied = try store.appliedMigrations()
        XCTAssertEqual(applied, RunStore.migrations.map(\.identifier))
        XCTAssertEqual(applied.count, 2)
        let tables = try store.database.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map { $0.text("name") }
        for table in ["artifacts", "experiments", "metric_summaries", "metrics", "params", "runs"] {
            XCTAssertTrue(tables.contains(table), "\(table) missing from \(tables)")
        }
        XCTAssertEqual(try store.database.query("PRAGMA journal_mode").first?.text("journal_mode"), "wal")
        try file.addRun(store, "a")
        // Opening again applies nothing and keeps the data.
        let again = try file.open()
        XCTAssertEqual(try again.appliedMigrations(), applied)
        XCTAssertEqual(try again.runs().map(\.name), ["a"])
    }

    func testAFileThatIsNotAStoreIsRefusedByName() throws {
        try FileManager.default.createDirectory(at: file.folder, withIntermediateDirectories: true)
        try Data("not a database, just text that is long enough to be read as a header".utf8).write(to: URL(fileURLWithPath: file.path))
        XCTAssertThrowsError(try file.open()) { XCTAssertTrue("\($0)".contains("tracking store \(file.path) cannot be opened"), "\($0)") }
    }

    func testSummariesKeepTheLatestAndTheBestEpochValue() throws {
        let store = try file.open()
        let id = try store.beginRun(NewRun(name: "r", params: ["learning_rate": "0.01", "model": "cnn"]))
        try store.append([
            MetricPoint(name: "loss", step: 1, epoch: 1, value: 0.1, isSummary: false),   // a batch mean: never best
            MetricPoint(name: "loss", step: 10, epoch: 1, value: 0.8),
            MetricPoint(name: "val_accuracy", step: 10, epoch: 1, value: 0.7),
        ], runID: id)
        try store.append([
            MetricPoint(name: "loss", step: 20, epoch: 2, value: 0.5),
            MetricPoint(name: "val_accuracy", step: 20, epoch: 2, value: 0.9),
        ], runID: id)
        try store.append([
            MetricPoint(name: "loss", step: 30, epoch: 3, value: 0.6),
            MetricPoint(name: "val_accuracy", step: 30, epoch: 3, value: 0.85),
        ], runID: id)
        let details = try store.details(of: id)
        XCTAssertEqual(details.metrics["loss"], MetricSummary(name: "loss", latest: 0.6, latestStep: 30, best: 0.5, bestStep: 20, count: 4))
        XCTAssertEqual(details.metrics["val_accuracy"],
                       MetricSummary(name: "val_accuracy", latest: 0.85, latestStep: 30, best: 0.9, bestStep: 20, count: 3))
        XCTAssertEqual(details.params, ["learning_rate": "0.01", "model": "cnn"])
        XCTAssertEqual(try store.points(runID: id, name: "loss").map(\.step), [1, 10, 20, 30])
        XCTAssertEqual(try store.lastStep(of: id), 30)
    }

    func testFilterSortAndLimit() throws {
        let store = try file.open()
        let a = try file.addRun(store, "a", params: ["learning_rate": "0.001", "model": "cnn"], metrics: ["val_accuracy": [0.8, 0.95]])
        let b = try file.addRun(store, "b", params: ["learning_rate": "0.1", "model": "cnn"], metrics: ["val_accuracy": [0.97]])
        let c = try file.addRun(store, "c", params: ["learning_rate": "0.005", "model": "mlp"], metrics: ["val_accuracy": [0.85]])
        let d = try file.addRun(store, "d", params: ["learning_rate": "default", "model": "mlp"], metrics: [:], status: .running)
        func ids(_ filter: String?, sort: String? = nil, limit: Int? = nil, now: Double = Date().timeIntervalSince1970) throws -> [Int64] {
            try store.runs(where: filter.map(RunFilter.init(parsing:)), sort: sort.map { [try RunSort(parsing: $0)] } ?? [],
                           limit: limit, now: now).map(\.id)
        }
        XCTAssertEqual(try ids(nil), [d, c, b, a])   // newest first
        XCTAssertEqual(try ids("params.learning_rate < 0.01 and metrics.val_accuracy > 0.9"), [a])
        XCTAssertEqual(try ids("params.learning_rate < 0.01"), [c, a])           // "default" is no number
        XCTAssertEqual(try ids("params.learning_rate = default"), [d])
        XCTAssertEqual(try ids("params.model = mlp or (metrics.val_accuracy >= 0.97 and not params.model = mlp)"), [d, c, b])
        XCTAssertEqual(try ids("latest.val_accuracy < 0.9"), [c])
        XCTAssertEqual(try ids("status = running"), [d])
        XCTAssertEqual(try ids("status = crashed", now: Date().timeIntervalSince1970 + RunStore.staleHeartbeatSeconds + 1), [d])
        XCTAssertEqual(try ids("status = crashed"), [])
        XCTAssertEqual(try ids("experiment = test and name = 'b'"), [b])
        XCTAssertEqual(try ids(nil, sort: "-metrics.val_accuracy"), [b, a, c, d])   // no value: last
        XCTAssertEqual(try ids(nil, sort: "metrics.val_accuracy"), [c, a, b, d])
        XCTAssertEqual(try ids(nil, sort: "params.model", limit: 2), [b, a])        // ties: newest first
        XCTAssertEqual(try ids(nil, sort: "-metrics.val_accuracy", limit: 1), [b])
    }

    func testExportWritesEveryPointOfTheChosenRuns() throws {
        let store = try file.open()
        let a = try file.addRun(store, "a,1", metrics: ["loss": [0.5, 0.25]])
        try file.addRun(store, "b", metrics: ["loss": [9]])
        let url = file.folder.appendingPathComponent("export.csv")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        XCTAssertEqual(try store.exportCSV(runIDs: [a], to: handle), 2)
        try handle.close()
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), """
            run_id,run_name,metric,step,epoch,wall_time,value
            \(a),"a,1",loss,10,1,1000.0,0.5
            \(a),"a,1",loss,20,2,1001.0,0.25

            """)
    }

    func testArchiveHidesAndDeleteRemovesEverythingOfARun() throws {
        let store = try file.open()
        let a = try file.addRun(store, "a", params: ["x": "1"], metrics: ["loss": [1, 2]], experiment: "one")
        let b = try file.addRun(store, "b", params: ["x": "2"], metrics: ["loss": [3]], experiment: "two")
        try store.setArtifacts([Artifact(path: "report.html", kind: "report", bytes: 3, sha256: "00")], runID: a)
        try store.setArchived([a], true)
        XCTAssertEqual(try store.runs().map(\.id), [b])
        XCTAssertEqual(try store.runs(includeArchived: true).map(\.id), [b, a])
        try store.setArchived([a], false)
        XCTAssertEqual(try store.runs().map(\.id), [b, a])
        try store.deleteRuns([a])
        XCTAssertEqual(try store.runs(includeArchived: true).map(\.id), [b])
        for table in ["params", "metrics", "metric_summaries", "artifacts"] {
            XCTAssertEqual(try store.database.query("SELECT count(*) AS n FROM \(table) WHERE run_id = ?", [a]).first?.int("n"), 0, table)
        }
        XCTAssertEqual(try store.database.query("SELECT name FROM experiments").map { $0.text("name") }, ["two"])
        XCTAssertThrowsError(try store.run(String(a))) { XCTAssertTrue("\($0)".contains("no run '\(a)'"), "\($0)") }
    }

    func testRunsAreFoundByNumberNameOrFolderAndAmbiguousNamesAreRefused() throws {
        let store = try file.open()
        let a = try store.beginRun(NewRun(name: "same", folder: "/tmp/x/a"))
        let b = try store.beginRun(NewRun(name: "same", folder: "/tmp/y/a"))
        XCTAssertEqual(try store.run(String(b)).id, b)
        XCTAssertEqual(try store.run("/tmp/x/a").id, a)
        XCTAssertThrowsError(try store.run("same")) { XCTAssertTrue("\($0)".contains("belongs to runs \(a), \(b)"), "\($0)") }
    }

    func testAResumedRunContinuesTheUnfinishedRunOfItsFolder() throws {
        let store = try file.open()
        let first = try store.beginRun(NewRun(name: "r", folder: "/tmp/r"))
        try store.finishRun(first, status: .killed)
        XCTAssertEqual(try store.beginRun(NewRun(name: "r", folder: "/tmp/r"), continuesFolderRun: true), first)
        XCTAssertEqual(try store.run(String(first)).status, .running)
        try store.finishRun(first, status: .finished)
        XCTAssertNotEqual(try store.beginRun(NewRun(name: "r", folder: "/tmp/r"), continuesFolderRun: true), first)
    }
}
