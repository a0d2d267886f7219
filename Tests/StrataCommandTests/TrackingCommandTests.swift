import Foundation
import StrataTracking
import XCTest

/// The tracking store from the command line: training commands record by default (not with
/// `--no-tracking`), `strata runs list|show|compare|export|archive|delete|import` on what they recorded.
final class TrackingCommandTests: XCTestCase {
    private var workspace: CommandWorkspace!

    override func setUpWithError() throws { workspace = try CommandWorkspace("tracking") }
    override func tearDown() { workspace.remove() }

    func testTrainingCommandsRecordTheirRunsByDefaultAndNotWithNoTracking() throws {
        try workspace.train("a", epochs: 2)
        try workspace.strata.succeed(["argmax", "--depth", "1", "--width", "8", "--length", "5", "--episodes", "2",
                                      "--batches-per-episode", "3", "--batch-size", "16", "--test-batches", "1",
                                      "--test-batch-size", "16", "--threads", "1", "--out", workspace.path("argmax")])
        try workspace.train("untracked", ["--no-tracking"])
        var elsewhere = workspace.strata
        elsewhere.environment["STRATA_TRACKING_DB"] = workspace.path("other/store.sqlite")
        _ = try elsewhere.succeed(["train"] + workspace.tinyTraining() + ["--out", workspace.path("b")])

        // Each command closed the store on its way out: its write-ahead log is back in the database file.
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.path("runs/strata.sqlite-wal")))
        let store = try RunStore(path: workspace.path("runs/strata.sqlite"))
        let runs = try store.runs()
        XCTAssertEqual(runs.map(\.name), ["argmax", "a"])
        XCTAssertEqual(runs.map(\.experiment), ["argmax", "train"])
        XCTAssertEqual(runs.map(\.status), [.finished, .finished])
        let a = try store.details(of: runs[1].id)
        XCTAssertEqual(a.run.folder, workspace.url("a").standardizedFileURL.path)
        XCTAssertTrue(a.run.command.hasSuffix("train --dataset mnist --data-dir \(workspace.data.path) --model mlp-small --epochs 2 "
                                              + "--batch-size 32 --threads 1 --out \(workspace.path("a"))"), a.run.command)
        XCTAssertEqual(a.params["model"], "mlp-small")
        XCTAssertEqual(a.params["batch_size"], "32")
        XCTAssertNotNil(a.metrics["test_accuracy"])
        XCTAssertEqual(try store.points(runID: a.run.id, name: "val_loss").map(\.epoch), [1, 2])
        XCTAssertTrue(try store.points(runID: a.run.id, name: "loss").count > 2, "per-step points are recorded")
        XCTAssertTrue(Set(a.artifacts.map(\.path)).isSuperset(of: ["report.html", "model.safetensors", "options.json"]), "\(a.artifacts)")
        let other = try RunStore(path: workspace.path("other/store.sqlite")).runs()
        XCTAssertEqual(other.map(\.name), ["b"])
    }

    func testARunThatStopsWithAnErrorIsRecordedAsFailed() throws {
        let diverging = try workspace.strata.run(["argmax", "--episodes", "2", "--batches-per-episode", "20", "--batch-size", "16",
                                                  "--learning-rate", "1e6", "--test-batches", "1", "--test-batch-size", "10",
                                                  "--threads", "1", "--out", workspace.path("diverged")])
        XCTAssertNotEqual(diverging.status, 0)
        XCTAssertTrue(diverging.error.contains("the loss became"), diverging.error)
        let runs = try RunStore(path: workspace.path("runs/strata.sqlite")).runs()
        XCTAssertEqual(runs.map(\.name), ["diverged"])
        XCTAssertEqual(runs.map(\.status), [.failed])
        XCTAssertNotNil(runs.first?.ended)
    }

    func testAStoreThatCannotBeOpenedWarnsAndTrainingGoesOn() throws {
        try Data("not a database, just text that is long enough to be read as a header".utf8).write(to: workspace.url("bad.sqlite"))
        let outcome = try workspace.train("unrecorded", ["--tracking-db", workspace.path("bad.sqlite")])
        XCTAssertTrue(outcome.error.contains("strata: warning: this run is not recorded: tracking store \(workspace.path("bad.sqlite"))"),
                      outcome.error)
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.path("unrecorded/report.html")))
    }

    func testRunsCommandsListShowCompareExportArchiveAndDelete() throws {
        let db = ["--tracking-db", workspace.path("t.sqlite")]
        try workspace.train("small", [] + db)
        try workspace.train("large", ["--learning-rate", "0.01"] + db)
        let strata = workspace.strata

        /// The number and name of each listed run.
        func listed(_ lines: [String]) -> [String] {
            lines.dropFirst().filter { !$0.isEmpty }.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
        }
        let list = try strata.succeed(["runs", "list"] + db).lines
        XCTAssertTrue(list[0].hasPrefix("id  name   experiment  status    started"), list[0])
        XCTAssertTrue(list[0].contains("learning_rate") && list[0].contains("test_accuracy"), list[0])
        XCTAssertEqual(listed(list), ["2 large", "1 small"])
        let filtered = try strata.succeed(["runs", "list", "--where", "params.learning_rate > 0.001 and status = finished"] + db).lines
        XCTAssertEqual(listed(filtered), ["2 large"])
        let sorted = try strata.succeed(["runs", "list", "--sort", "name", "--limit", "1"] + db).lines
        XCTAssertEqual(listed(sorted), ["2 large"])
        let bad = try strata.run(["runs", "list", "--where", "metrics.loss <"] + db)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.error.contains("at the end: expected a value after '<'"), bad.error)

        let show = try strata.succeed(["runs", "show", "small"] + db).output
        for expected in ["run 1: small", "status      finished", "batch_size", "test_accuracy", "report.html"] {
            XCTAssertTrue(show.contains(expected), "show lacks '\(expected)':\n\(show)")
        }

        let compare = try strata.succeed(["runs", "compare", "1", "2", "--metric", "loss", "--out", workspace.path("c.png")] + db)
        XCTAssertTrue(compare.lines.contains { $0.hasPrefix("learning_rate") && $0.hasSuffix("*") }, compare.output)
        XCTAssertTrue(RunFiles.isPNG(workspace.url("c.png")))

        try strata.succeed(["runs", "export", "--csv", workspace.path("all.csv")] + db)
        let csv = try RunFiles.csv(workspace.url("all.csv"))
        XCTAssertEqual(csv.header, ["run_id", "run_name", "metric", "step", "epoch", "wall_time", "value"])
        let store = try RunStore(path: workspace.path("t.sqlite"))
        XCTAssertEqual(csv.rows.count, try store.points(runID: 1).count + store.points(runID: 2).count)
        XCTAssertTrue(csv.rows.contains { $0[0] == "2" && $0[1] == "large" && $0[2] == "val_accuracy" })

        try strata.succeed(["runs", "archive", "1"] + db)
        XCTAssertEqual(try store.runs().map(\.id), [2])
        let declined = try strataWithInput("n\n", ["runs", "delete", "2"] + db)
        XCTAssertTrue(declined.contains("nothing deleted"), declined)
        XCTAssertEqual(try store.runs().map(\.id), [2])
        try strata.succeed(["runs", "delete", "2", "--yes", "--files"] + db)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.path("large")))
        try strata.succeed(["runs", "delete", "small", "--yes"] + db)
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.path("small")), "the folder stays without --files")
        XCTAssertEqual(try store.runs(includeArchived: true).count, 0)
    }

    func testImportLoadsARunFolderMadeWithoutTheStore() throws {
        try workspace.train("old", epochs: 2, ["--no-tracking"])
        let db = ["--tracking-db", workspace.path("imported.sqlite")]
        let first = try workspace.strata.succeed(["runs", "import", workspace.path("old")] + db)
        XCTAssertEqual(first.lines.first, "imported \(workspace.path("old")) as run 1")
        let again = try workspace.strata.succeed(["runs", "import", workspace.path("old")] + db)
        XCTAssertEqual(again.lines.first, "\(workspace.path("old")) is already in the store as run 1")
        let failed = try workspace.strata.run(["runs", "import", workspace.data.path] + db)
        XCTAssertTrue(failed.error.contains("\(workspace.data.path) is not a run folder"), failed.error)

        let store = try RunStore(path: workspace.path("imported.sqlite"))
        let details = try store.details(of: 1)
        XCTAssertEqual(details.run.status, .finished)
        XCTAssertEqual(details.run.experiment, "imported")
        XCTAssertEqual(details.params["model"], "mlp-small")
        XCTAssertEqual(details.params["epochs"], "2")
        XCTAssertEqual(try store.points(runID: 1, name: "val_accuracy").map(\.step), [1, 2])
        let history = try RunFiles.csv(workspace.url("old/history.csv"))
        let lossColumn = try XCTUnwrap(history.header.firstIndex(of: "loss"))
        XCTAssertEqual(try store.points(runID: 1, name: "loss").map(\.value), history.rows.map { Double($0[lossColumn])! })
        let metrics = try RunFiles.json(workspace.url("old/metrics.json"))
        XCTAssertEqual(details.metrics["test_accuracy"]?.latest, metrics["testAccuracy"] as? Double)
        XCTAssertTrue(details.artifacts.contains { $0.path == "report.html" && $0.kind == "report" && $0.sha256.count == 64 })
    }

    /// Runs `strata` with `input` on its standard input; returns what it printed.
    private func strataWithInput(_ input: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = StrataProcess.executable
        process.arguments = arguments
        process.currentDirectoryURL = workspace.root
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: output, as: UTF8.self)
    }
}
