import XCTest
@testable import StrataTracking

/// The point counts kept in `metric_summaries` (migration v2) as points are appended, replaced and
/// migrated, and `points(runID:name:)`, which reads its columns by position.
final class RunStoreCountTests: XCTestCase {
    private var file: TrackingStoreFile!

    override func setUp() { file = TrackingStoreFile() }
    override func tearDown() { file.remove() }

    func testPointsComeInNameAndStepOrderWithEpochsAndWallTimes() throws {
        let store = try file.open()
        let id = try store.beginRun(NewRun(name: "r"))
        try store.append([
            MetricPoint(name: "loss", step: 20, epoch: 2, wallTime: 120, value: 0.5),
            MetricPoint(name: "loss", step: 10, epoch: nil, wallTime: 110, value: 0.9),
            MetricPoint(name: "val_loss", step: 10, epoch: 1, wallTime: 111, value: 1.5),
            MetricPoint(name: "loss", step: 30, epoch: 3, wallTime: 130, value: 0.25),
        ], runID: id)
        XCTAssertEqual(try store.points(runID: id, name: "loss"), [
            MetricPoint(name: "loss", step: 10, epoch: nil, wallTime: 110, value: 0.9),
            MetricPoint(name: "loss", step: 20, epoch: 2, wallTime: 120, value: 0.5),
            MetricPoint(name: "loss", step: 30, epoch: 3, wallTime: 130, value: 0.25),
        ])
        XCTAssertEqual(try store.points(runID: id).map(\.name), ["loss", "loss", "loss", "val_loss"])
        XCTAssertEqual(try store.points(runID: id).last, MetricPoint(name: "val_loss", step: 10, epoch: 1, wallTime: 111, value: 1.5))
        XCTAssertEqual(try store.points(runID: id, name: "accuracy"), [])
        XCTAssertEqual(try store.points(runID: id + 1), [])
    }

    func testCountsFollowNewAndReplacedPoints() throws {
        let store = try file.open()
        let id = try store.beginRun(NewRun(name: "r"))
        try store.append([MetricPoint(name: "loss", step: 1, value: 3), MetricPoint(name: "loss", step: 2, value: 2)], runID: id)
        // Step 2 again (a resumed run) replaces the value; step 3 twice in one batch counts once, the last value kept.
        try store.append([MetricPoint(name: "loss", step: 2, epoch: 1, value: 1.5), MetricPoint(name: "loss", step: 3, value: 1),
                          MetricPoint(name: "acc", step: 3, value: 0.5), MetricPoint(name: "acc", step: 3, value: 0.6)], runID: id)
        let summaries = try XCTUnwrap(try store.summaries(of: [id])[id])
        XCTAssertEqual(summaries["loss"]?.count, 3)
        XCTAssertEqual(summaries["acc"]?.count, 1)
        XCTAssertEqual(summaries["acc"]?.latest, 0.6)
        XCTAssertEqual(try store.points(runID: id, name: "loss").map(\.value), [3, 1.5, 1])
        XCTAssertEqual(try store.points(runID: id, name: "loss").map(\.epoch), [nil, 1, nil])
        for (name, count) in summaries {
            let counted = try store.database.query("SELECT count(*) AS n FROM metrics WHERE run_id = ? AND name = ?", [id, name])
            XCTAssertEqual(counted.first?.int("n"), count.count, name)
        }
        // A point the store refuses (NaN is stored as NULL, which the column forbids), at a step recorded or new,
        // throws naming it, and nothing of its batch is written.
        XCTAssertThrowsError(try store.append([MetricPoint(name: "loss", step: 2, value: .nan)], runID: id))
        XCTAssertThrowsError(try store.append([MetricPoint(name: "loss", step: 7, value: .nan),
                                               MetricPoint(name: "loss", step: 8, value: 0.5)], runID: id)) {
            XCTAssertTrue("\($0)".contains("loss = nan at step 7"), "\($0)")
        }
        XCTAssertEqual(try store.summaries(of: [id])[id]?["loss"]?.count, 3)
        XCTAssertEqual(try store.points(runID: id, name: "loss").map(\.step), [1, 2, 3])
    }

    func testMigrationTwoCountsThePointsOfAStoreMadeBeforeIt() throws {
        try FileManager.default.createDirectory(at: file.folder, withIntermediateDirectories: true)
        do {   // a store as version 1 left it
            let old = try SQLiteConnection(path: file.path, busyTimeout: 1)
            try old.execute("CREATE TABLE migrations (identifier TEXT PRIMARY KEY, applied REAL NOT NULL);")
            try old.execute(RunStore.migrations[0].sql)
            try old.execute("INSERT INTO migrations VALUES (?, 0)", [RunStore.migrations[0].identifier])
            try old.execute("""
                INSERT INTO experiments VALUES (1, 'e', 0);
                INSERT INTO runs (id, experiment_id, name, command, status, started, heartbeat) VALUES (1, 1, 'r', 'c', 'finished', 0, 0);
                """)
            for step in 1...4 { try old.execute("INSERT INTO metrics VALUES (1, 'loss', ?, NULL, 0, 1)", [step]) }
            try old.execute("INSERT INTO metric_summaries VALUES (1, 'loss', 1, 4, 1, 4);")
        }
        let store = try file.open()
        XCTAssertEqual(try store.appliedMigrations(), RunStore.migrations.map(\.identifier))
        XCTAssertEqual(try store.summaries(of: [1])[1]?["loss"]?.count, 4)
        try store.append([MetricPoint(name: "loss", step: 5, value: 0.5)], runID: 1)
        XCTAssertEqual(try store.details(of: 1).metrics["loss"]?.count, 5)
    }
}
