import Foundation
import XCTest

/// The success paths of `strata train`, `evaluate`, `predict`, `ensemble` and `plot`, run as subprocesses on
/// the synthetic MNIST: what each prints and what each writes.
final class ClassifierCommandTests: XCTestCase {
    /// The workspace and two runs trained once for the whole class: `run-a` (seed 42) and `run-b` (seed 7).
    private static var shared: Result<(CommandWorkspace, StrataProcess.Outcome), any Error>?

    private var workspace: CommandWorkspace!
    /// What `strata train` printed for `run-a`.
    private var trainingOutput: StrataProcess.Outcome!

    override class func tearDown() {
        if case .success(let (workspace, _)) = shared { workspace.remove() }
        shared = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        if Self.shared == nil {
            Self.shared = Result {
                let workspace = try CommandWorkspace("classifier")
                let outcome = try workspace.strata.run(["train"] + workspace.tinyTraining() + ["--out", workspace.path("run-a")])
                guard outcome.status == 0 else { throw CommandFailure(outcome) }
                let other = try workspace.strata.run(["train"] + workspace.tinyTraining()
                                                     + ["--seed", "7", "--out", workspace.path("run-b")])
                guard other.status == 0 else { throw CommandFailure(other) }
                return (workspace, outcome)
            }
        }
        (workspace, trainingOutput) = try XCTUnwrap(Self.shared).get()
    }

    func testTrainPrintsItsProgressAndWritesTheRunFolder() throws {
        let run = workspace.url("run-a")
        let lines = trainingOutput.lines
        XCTAssertEqual(lines.first, "run folder: \(run.path)")
        XCTAssertTrue(lines.contains("training on 265 images, validating on 30, testing on 100"), trainingOutput.output)
        XCTAssertTrue(lines.contains("Epoch 1/1"), trainingOutput.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("9/9 [") && $0.contains(" - loss: ") && $0.contains(" - val_accuracy: ") },
                      trainingOutput.output)
        XCTAssertTrue(lines.contains("Total params: 9,474 (37.01 KB)"), trainingOutput.output)
        XCTAssertTrue(lines.contains("wrote \(run.path)/report.html"), trainingOutput.output)

        let history = try RunFiles.csv(run.appendingPathComponent("history.csv"))
        XCTAssertEqual(history.header, ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"])
        XCTAssertEqual(history.rows.count, 1)
        XCTAssertEqual(history.rows.first?.first, "1")
        for value in history.rows.first?.dropFirst() ?? [] {
            XCTAssertTrue(Double(value).map { $0.isFinite && $0 >= 0 } ?? false, "history.csv value \(value)")
        }

        let metrics = try RunFiles.json(run.appendingPathComponent("metrics.json"))
        XCTAssertEqual(metrics["dataset"] as? String, "mnist")
        XCTAssertEqual(metrics["model"] as? String, "mlp-small")
        XCTAssertEqual(metrics["epochs"] as? Int, 1)
        XCTAssertEqual(metrics["parameters"] as? Int, 9_474)
        XCTAssertEqual(metrics["testExamples"] as? Int, 100)
        let confusion = try XCTUnwrap(metrics["confusion"] as? [[Int]])
        XCTAssertEqual(confusion.map { $0.reduce(0, +) }, [Int](repeating: 10, count: 10), "10 test images of each class")
        let accuracy = try XCTUnwrap(metrics["testAccuracy"] as? Double)
        XCTAssertEqual(accuracy, Double((0..<10).map { confusion[$0][$0] }.reduce(0, +)) / 100, accuracy: 1e-12)
        XCTAssertTrue(lines.contains { $0.hasPrefix(String(format: "test accuracy: %.2f%% (100 images)", accuracy * 100)) },
                      trainingOutput.output)
        let perClass = try XCTUnwrap(metrics["perClass"] as? [[String: Any]])
        XCTAssertEqual(perClass.map { $0["name"] as? String }, (0..<10).map { String($0) })
        XCTAssertEqual(perClass.map { $0["support"] as? Int }, [Int](repeating: 10, count: 10))

        let options = try RunFiles.json(run.appendingPathComponent("options.json"))
        XCTAssertEqual(options["model"] as? String, "mlp-small")
        XCTAssertEqual(options["epochs"] as? Int, 1)
        XCTAssertEqual(options["batchSize"] as? Int, 32)
        XCTAssertEqual(options["schedule"] as? String, "constant")

        let weights = try RunFiles.safetensors(run.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(weights.values.map(\.count).reduce(0, +), 9_474)
        XCTAssertTrue(weights.values.allSatisfy { $0.allSatisfy(\.isFinite) })
        XCTAssertFalse(try RunFiles.safetensors(run.appendingPathComponent("checkpoint.safetensors")).isEmpty)
        for chart in ["accuracy", "loss", "confusion", "misclassified"] {
            XCTAssertTrue(RunFiles.isPNG(run.appendingPathComponent("\(chart).png")), chart)
        }
        let report = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(report.contains("<html") && report.contains("mlp-small"), "report.html")
        let summary = try String(contentsOf: run.appendingPathComponent("summary.txt"), encoding: .utf8)
        XCTAssertTrue(summary.contains("Total params: 9,474"), summary)
    }

    func testEvaluateLoadsTheAveragedOrTheTrainedWeightsOfAnEMARun() throws {
        // --ema does not change training: the trained weights of an EMA run are run-a's (same seed and data).
        try workspace.train("run-ema", ["--ema", "0.5"])
        let evaluate = { (run: String, extra: [String]) throws -> [String] in
            try self.workspace.strata.succeed(["evaluate", self.workspace.path(run), "--threads", "1",
                                               "--data-dir", self.workspace.data.path] + extra).lines
        }
        let plain = try evaluate("run-a", [])
        let trained = try evaluate("run-ema", ["--weights", "trained"])
        let averaged = try evaluate("run-ema", [])
        XCTAssertEqual(trained.first, "mlp-small on the mnist test set (100 images), the trained weights")
        XCTAssertEqual(trained[1], plain[1], "trained weights of the EMA run against the plain run")
        XCTAssertEqual(averaged.first, "mlp-small on the mnist test set (100 images)")
        XCTAssertNotEqual(averaged[1], trained[1], "the average is not the last weights")
        XCTAssertEqual(try evaluate("run-a", ["--weights", "trained"])[1], plain[1], "a run without averaging: both the same")

        let refused = try workspace.strata.run(["evaluate", workspace.path("run-a"), "--weights", "best"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.error.contains("--weights must be final or trained, got best"), refused.error)

        // Only model.safetensors (no checkpoint): the trained weights cannot be loaded, and the error says why.
        let lone = workspace.url("run-model-only")
        try FileManager.default.copyItem(at: workspace.url("run-ema"), to: lone)
        try FileManager.default.removeItem(at: lone.appendingPathComponent("checkpoint.safetensors"))
        let missing = try workspace.strata.run(["evaluate", lone.path, "--weights", "trained", "--data-dir", workspace.data.path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.error.contains("holds no checkpoint (checkpoint.safetensors) to load the trained weights from"),
                      missing.error)
    }

    func testEvaluatePrintsPrecisionAndRecallOfItsConfusionMatrix() throws {
        let outcome = try workspace.strata.succeed(["evaluate", workspace.path("run-a"), "--threads", "1",
                                                    "--data-dir", workspace.data.path, "--confusion", "confusion.png"])
        let lines = outcome.lines
        XCTAssertEqual(lines.first, "mlp-small on the mnist test set (100 images)")
        let table = try XCTUnwrap(lines.firstIndex(of: "class            precision   recall   support"), outcome.output)
        let matrix = try XCTUnwrap(lines.firstIndex(of: "confusion matrix (rows: true class, columns: predicted class)"),
                                   outcome.output)
        let confusion = lines[(matrix + 1)...(matrix + 10)].map { $0.split(separator: " ").dropFirst().compactMap { Int($0) } }
        XCTAssertEqual(confusion.map(\.count), [Int](repeating: 10, count: 10), outcome.output)

        // The same weights on the same test set: the confusion matrix `strata train` recorded.
        let metrics = try RunFiles.json(workspace.url("run-a/metrics.json"))
        XCTAssertEqual(confusion, try XCTUnwrap(metrics["confusion"] as? [[Int]]))
        let correct = (0..<10).map { confusion[$0][$0] }.reduce(0, +)
        XCTAssertTrue(lines[1].hasPrefix(String(format: "accuracy: %.2f%%   loss: ", Double(correct))), lines[1])

        // Each class's row: precision = diagonal / column sum, recall = diagonal / row sum (10 images each).
        for c in 0..<10 {
            let fields = lines[table + 1 + c].split(separator: " ").map(String.init)
            let predicted = (0..<10).map { confusion[$0][c] }.reduce(0, +)
            let precision = predicted == 0 ? 0 : Double(confusion[c][c]) / Double(predicted)
            let recall = Double(confusion[c][c]) / 10
            XCTAssertEqual(fields, [String(c), String(format: "%.4f", precision), String(format: "%.4f", recall), "10"],
                           "class \(c)")
        }
        XCTAssertEqual(lines.last { !$0.isEmpty }, "wrote confusion.png")
        XCTAssertTrue(RunFiles.isPNG(workspace.url("confusion.png")))
    }

    func testPredictLabelsPNGAndIDXInputsAlike() throws {
        // Test images 0–2 as one IDX file, and images 0 and 1 as PNG files written without Strata.
        let test = SyntheticDigits.images(test: true)
        try SyntheticDigits.idxImages(Array(test.prefix(3))).write(to: workspace.url("three-idx3-ubyte"))
        for index in 0..<2 {
            try TinyPNG.grayscale(width: 28, height: 28, pixels: test[index]).write(to: workspace.url("image\(index).png"))
        }
        let inputs = ["three-idx3-ubyte", "image0.png", "image1.png"].map { workspace.path($0) }
        let outcome = try workspace.strata.succeed(["predict", workspace.path("run-a")] + inputs
                                                   + ["--top", "3", "--threads", "1", "--data-dir", workspace.data.path])
        let lines = outcome.lines.filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 5, outcome.output)
        var labels: [String: String] = [:]
        for line in lines {
            let parts = line.components(separatedBy: ": ")
            XCTAssertEqual(parts.count, 2, line)
            labels[parts[0]] = parts.last
            // Three "class (probability)" entries, most probable first.
            let probabilities = (parts.last ?? "").components(separatedBy: ", ").compactMap { entry -> Double? in
                guard let open = entry.firstIndex(of: "("), entry.hasSuffix(")") else { return nil }
                return Double(entry[entry.index(after: open)..<entry.index(before: entry.endIndex)])
            }
            XCTAssertEqual(probabilities.count, 3, line)
            XCTAssertEqual(probabilities, probabilities.sorted(by: >), line)
            XCTAssertTrue(probabilities.allSatisfy { $0 >= 0 && $0 <= 1 } && probabilities.reduce(0, +) <= 1.0001, line)
        }
        XCTAssertEqual(Set(labels.keys), Set((0..<3).map { "\(inputs[0])[\($0)]" } + inputs.dropFirst()))
        XCTAssertEqual(labels[inputs[1]], labels["\(inputs[0])[0]"], "the PNG and the IDX copy of image 0")
        XCTAssertEqual(labels[inputs[2]], labels["\(inputs[0])[1]"], "the PNG and the IDX copy of image 1")
    }

    func testPredictOnTheWholeTestSetAgreesWithTheRecordedConfusionMatrix() throws {
        let file = workspace.data.appendingPathComponent("mnist/t10k-images-idx3-ubyte").path
        let outcome = try workspace.strata.succeed(["predict", workspace.path("run-a"), file, "--threads", "1",
                                                    "--data-dir", workspace.data.path])
        let lines = outcome.lines.filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 100)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for (index, line) in lines.enumerated() {
            XCTAssertTrue(line.hasPrefix("\(file)[\(index)]: "), line)
            let label = line.components(separatedBy: ": ").last?.split(separator: " ").first.flatMap { Int($0) }
            guard let label, (0..<10).contains(label) else { return XCTFail("no class in \(line)") }
            confusion[SyntheticDigits.testLabels[index]][label] += 1
        }
        let metrics = try RunFiles.json(workspace.url("run-a/metrics.json"))
        XCTAssertEqual(confusion, try XCTUnwrap(metrics["confusion"] as? [[Int]]))
    }

    func testExportWritesTheRunsModelAsONNX() throws {
        let outcome = try workspace.strata.succeed(["export", workspace.path("run-a"), "--format", "onnx",
                                                    "--data-dir", workspace.data.path, "--out", workspace.path("a.onnx")])
        XCTAssertEqual(outcome.lines.filter { !$0.isEmpty },
                       ["mlp-small classifier on mnist: input (None, 28, 28), output (None, 10)",
                        "wrote \(workspace.path("a.onnx")) (ONNX opset 17)"])
        let bytes = try Data(contentsOf: workspace.url("a.onnx"))
        XCTAssertEqual(bytes.prefix(2), Data([0x08, 0x08]), "ir_version 8 first")
        // The weights as raw float32 initializers: 9,474 parameters, 4 bytes each, plus the graph.
        XCTAssertGreaterThan(bytes.count, 9_474 * 4)
        XCTAssertTrue(bytes.range(of: Data("dense_2.kernel".utf8)) != nil)
    }

    func testEnsemblePrintsEachMembersAccuracyAndTheEnsembles() throws {
        let members = [workspace.path("run-a"), workspace.path("run-b")]
        let outcome = try workspace.strata.succeed(["ensemble"] + members + ["--threads", "1", "--data-dir", workspace.data.path,
                                                                              "--out", workspace.path("ensemble")])
        let lines = outcome.lines.filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 11 + (lines.last?.hasSuffix("missed-by-all.png") == true ? 1 : 0), outcome.output)
        XCTAssertEqual(lines.first, "test set: mnist, 100 images")
        for (line, member) in zip(lines[1...2], members) {
            let accuracy = try XCTUnwrap(RunFiles.json(URL(fileURLWithPath: member + "/metrics.json"))["testAccuracy"] as? Double)
            XCTAssertEqual(line, String(format: "%8.2f%%  ", accuracy * 100) + member)
        }
        for (line, kind) in zip(lines[3...4], ["majority vote", "averaged probabilities"]) {
            XCTAssertTrue(line.hasSuffix("%  ensemble, \(kind)"), line)
            let percent = Double(line.split(separator: "%").first?.trimmingCharacters(in: .whitespaces) ?? "")
            XCTAssertTrue(percent.map { (0...100).contains($0) } ?? false, line)
        }
        // The growth table: one member alone, then both (the same figures as the lines above).
        XCTAssertEqual(lines[5], "members   vote   average")
        let percent = { (line: String) in line.split(separator: "%")[0].trimmingCharacters(in: .whitespaces) + "%" }
        XCTAssertTrue(lines[6].hasPrefix("      1 ") && lines[6].contains(percent(lines[1])), lines[6])
        XCTAssertTrue(lines[7].hasPrefix("      2 ") && lines[7].contains(percent(lines[3])), lines[7])
        XCTAssertTrue(lines[8].hasSuffix("test images are wrong for every member"), lines[8])
        let summary = try RunFiles.json(workspace.url("ensemble/ensemble.json"))
        XCTAssertEqual(summary["members"] as? [String], members)
        XCTAssertEqual((summary["growth"] as? [[String: Any]])?.count, 2)
        XCTAssertTrue(RunFiles.isPNG(workspace.url("ensemble/ensemble-growth.png")))
        let missed = try XCTUnwrap(summary["missedByAll"] as? [Int])
        XCTAssertEqual(lines[8], "\(missed.count) test images are wrong for every member")
        XCTAssertEqual(FileManager.default.fileExists(atPath: workspace.path("ensemble/missed-by-all.png")), !missed.isEmpty)
    }

    func testPlotAccuracyAgainstTimeListsEveryRunAndDrawsAChartPerDataset() throws {
        let members = [workspace.path("run-a"), workspace.path("run-b")]
        let outcome = try workspace.strata.succeed(["plot", "--accuracy-vs-time"] + members + ["--out", "chart"])
        let lines = outcome.lines.filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 4, outcome.output)
        XCTAssertTrue(lines[0].hasPrefix("dataset "), lines[0])
        for member in members {
            let metrics = try RunFiles.json(URL(fileURLWithPath: member + "/metrics.json"))
            let accuracy = try XCTUnwrap(metrics["testAccuracy"] as? Double)
            let row = try XCTUnwrap(lines.first { $0.hasSuffix(member) }, outcome.output)
            XCTAssertTrue(row.hasPrefix("mnist "), row)
            XCTAssertTrue(row.contains(String(format: "%.2f%%", accuracy * 100)), row)
        }
        XCTAssertTrue(lines[1...2].contains { $0.contains(" ✓ ") }, "the faster run is on the front")
        XCTAssertEqual(lines[3], "wrote \(workspace.path("chart/accuracy-vs-time-mnist.png"))")
        XCTAssertTrue(RunFiles.isPNG(workspace.url("chart/accuracy-vs-time-mnist.png")))

        // By processor time: the runs record it beside the wall time.
        let processor = try workspace.strata.succeed(["plot", "--accuracy-vs-time", "--time", "processor"] + members + ["--out", "chart"])
        for member in members {
            let metrics = try RunFiles.json(URL(fileURLWithPath: member + "/metrics.json"))
            let seconds = try XCTUnwrap(metrics["trainingProcessorSeconds"] as? Double)
            XCTAssertGreaterThan(seconds, 0)
            let row = try XCTUnwrap(processor.lines.first { $0.hasSuffix(member) }, processor.output)
            XCTAssertTrue(row.contains(String(format: "%9.0f", seconds)), row)
        }

        // A run written before processor time was recorded is named, not charted at 0 s.
        let old = workspace.url("run-old")
        try? FileManager.default.removeItem(at: old)
        try FileManager.default.copyItem(at: workspace.url("run-a"), to: old)
        var metrics = try RunFiles.json(old.appendingPathComponent("metrics.json"))
        metrics["trainingProcessorSeconds"] = nil
        try JSONSerialization.data(withJSONObject: metrics).write(to: old.appendingPathComponent("metrics.json"))
        let refused = try workspace.strata.run(["plot", "--accuracy-vs-time", "--time", "processor", old.path, "--out", "chart"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.error.contains("\(old.path): metrics.json has no training processor time (trainingProcessorSeconds)"),
                      refused.error)
    }

    func testPlotRedrawsOneRunAndOverlaysSeveral() throws {
        let run = workspace.url("run-a")
        try FileManager.default.removeItem(at: run.appendingPathComponent("accuracy.png"))
        let one = try workspace.strata.succeed(["plot", run.path])
        XCTAssertEqual(one.lines.filter { !$0.isEmpty }, ["accuracy", "loss", "confusion"].map { "wrote \(run.path)/\($0).png" })
        XCTAssertTrue(RunFiles.isPNG(run.appendingPathComponent("accuracy.png")))

        let several = try workspace.strata.succeed(["plot", run.path, workspace.path("run-b"), "--out", "compare"])
        let written = ["accuracy", "loss"].map { workspace.url("compare/compare-\($0).png") }
        XCTAssertEqual(several.lines.filter { !$0.isEmpty }, written.map { "wrote \($0.path)" })
        XCTAssertTrue(written.allSatisfy(RunFiles.isPNG))
    }
}

/// A command that failed while a class's shared runs were being made.
struct CommandFailure: Error, CustomStringConvertible {
    /// The status and standard error of the failed run.
    let description: String

    init(_ outcome: StrataProcess.Outcome) {
        description = "strata exited with status \(outcome.status): \(outcome.error)"
    }
}
