import Foundation
import XCTest

/// `strata train` with each learning-rate schedule, and `strata sweep`, as subprocesses on the synthetic MNIST.
final class TrainingCommandTests: XCTestCase {
    private var workspace: CommandWorkspace!

    override func setUpWithError() throws { workspace = try CommandWorkspace("training") }
    override func tearDown() { workspace.remove() }

    /// The final weights of a run folder.
    private func weights(_ run: String) throws -> [String: [Float]] {
        try RunFiles.safetensors(workspace.url("\(run)/model.safetensors"))
    }

    /// `--help` prints each option's default as it is written on the command line (a list option's type
    /// printed itself as `ValueList<String>(values: ["constant"])` before).
    func testHelpPrintsDefaultsAsTheyAreWritten() throws {
        let help = try workspace.strata.succeed(["train", "--help"]).output
        XCTAssertFalse(help.contains("ValueList"), help)
        for text in ["(default: mlp)", "(default: constant)", "(default: none)", "(default: 5)"] {
            XCTAssertTrue(help.contains(text), "no \(text) in:\n\(help)")
        }
    }

    func testEveryLearningRateScheduleThroughTheCommandLine() throws {
        // Two epochs of 9 steps each (265 training images, batches of 32).
        try workspace.train("constant-1", epochs: 1)
        for schedule in ["constant", "step", "exponential", "cosine", "onecycle", "plateau"] {
            // A decay of 1e-20 makes the exponential schedule's second epoch visible: its rate is ~1e-23.
            let extra = ["--schedule", schedule] + (schedule == "exponential" ? ["--decay", "1e-20"] : [])
            let outcome = try workspace.train(schedule, epochs: 2, extra)
            XCTAssertTrue(outcome.lines.contains("Epoch 2/2"), "\(schedule): \(outcome.output)")
            let options = try RunFiles.json(workspace.url("\(schedule)/options.json"))
            XCTAssertEqual(options["schedule"] as? String, schedule)
            let history = try RunFiles.csv(workspace.url("\(schedule)/history.csv"))
            XCTAssertEqual(history.rows.map(\.first), ["1", "2"], schedule)
            XCTAssertTrue(try weights(schedule).values.allSatisfy { $0.allSatisfy(\.isFinite) }, schedule)
        }
        let constant = try weights("constant")
        XCTAssertGreaterThan(RunFiles.largestDifference(constant, try weights("constant-1")), 1e-4,
                             "the second epoch moves the weights")
        // step drops every 10 epochs and plateau waits 2 epochs without improvement: both equal constant here.
        XCTAssertEqual(try weights("step"), constant, "step")
        XCTAssertEqual(try weights("plateau"), constant, "plateau")
        // exponential: the full rate in epoch 1, then almost nothing.
        XCTAssertLessThan(RunFiles.largestDifference(try weights("exponential"), try weights("constant-1")), 1e-6)
        // cosine and onecycle change the rate every step.
        for schedule in ["cosine", "onecycle"] {
            XCTAssertGreaterThan(RunFiles.largestDifference(try weights(schedule), constant), 1e-5, schedule)
        }
    }

    func testSweepTrainsOneRunPerValueAndTabulatesThem() throws {
        try workspace.train("single")
        let outcome = try workspace.strata.succeed(["sweep"] + workspace.tinyTraining()
                                                   + ["--batch-size", "32,64", "--out", workspace.path("sweep")])
        let lines = outcome.lines
        XCTAssertTrue(lines.contains("=== sweep 1/2: --batch-size 32") && lines.contains("=== sweep 2/2: --batch-size 64"),
                      outcome.output)
        let table = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("batch-size") && $0.contains("test accuracy") }, outcome.output)
        let csv = try RunFiles.csv(workspace.url("sweep/sweep.csv"))
        XCTAssertEqual(csv.header, ["batch-size", "val_accuracy", "test_accuracy", "training_seconds", "folder"])
        XCTAssertEqual(csv.rows.map(\.first), ["32", "64"])
        for (row, size) in zip(csv.rows, [32, 64]) {
            let folder = workspace.url("sweep/batch-size-\(size)")
            XCTAssertEqual(row.last, folder.path)
            let metrics = try RunFiles.json(folder.appendingPathComponent("metrics.json"))
            let test = try XCTUnwrap(metrics["testAccuracy"] as? Double)
            XCTAssertEqual(Double(row[2]), test)
            XCTAssertEqual(Double(row[1]), try XCTUnwrap(metrics["validationAccuracy"] as? Double))
            XCTAssertEqual(try RunFiles.json(folder.appendingPathComponent("options.json"))["batchSize"] as? Int, size)
            let printed = lines.dropFirst(table + 1).first { $0.hasPrefix("\(size) ") } ?? ""
            XCTAssertTrue(printed.contains(String(format: "%.2f%%", test * 100)), printed)
        }
        // The run of batch size 32 is the single run with the same options, bit for bit.
        XCTAssertEqual(try weights("sweep/batch-size-32"), try weights("single"))
        XCTAssertNotEqual(try weights("sweep/batch-size-64"), try weights("single"))
        XCTAssertTrue(RunFiles.isPNG(workspace.url("sweep/sweep-accuracy.png")))
        XCTAssertTrue(RunFiles.isPNG(workspace.url("sweep/sweep-loss.png")))
    }
}
