import Foundation
@testable import StrataExperiments
import StrataTrain
import XCTest

final class RunReportTests: XCTestCase {
    func testWritesEveryFileOfARunFolder() throws {
        var history = History()
        history.record(epoch: 1, logs: [("loss", 0.9), ("accuracy", 0.7), ("val_loss", 1.0), ("val_accuracy", 0.65)])
        history.record(epoch: 2, logs: [("loss", 0.5), ("accuracy", 0.85), ("val_loss", 0.6), ("val_accuracy", 0.8)])
        var metrics = RunMetrics(dataset: "toy", model: "mlp")
        metrics.testAccuracy = 0.8125
        let confusion = [[5, 1], [2, 8]]
        metrics.perClass = RunMetrics.classScores(confusion: confusion, classNames: ["a", "b"])
        let mistake = RunReport.Mistake(pixels: [UInt8](repeating: 200, count: 16), width: 4, height: 4,
                                        trueClass: 0, predictedClass: 1)
        let report = RunReport(title: "toy run", history: history, summary: "Model: \"sequential\"", metrics: metrics,
                               classNames: ["a", "b"], confusion: confusion, mistakes: [mistake])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try report.write(to: folder).map(\.lastPathComponent).sorted()
        XCTAssertEqual(files, ["accuracy.png", "confusion.png", "history.csv", "history.json", "loss.png", "metrics.json",
                               "misclassified.png", "report.html", "summary.txt"])
        for png in ["accuracy.png", "loss.png", "confusion.png", "misclassified.png"] {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(png))
            XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], png)
        }
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 4, "four embedded charts")
        XCTAssertTrue(html.contains("<th style=\"text-align:left\">test accuracy</th><td>81.25%</td>"))
        let decoded = try JSONDecoder().decode(RunMetrics.self, from: Data(contentsOf: folder.appendingPathComponent("metrics.json")))
        XCTAssertEqual(decoded.perClass.map(\.precision), [5.0 / 7.0, 8.0 / 9.0])
        XCTAssertEqual(decoded.perClass.map(\.recall), [5.0 / 6.0, 0.8])
    }

    /// The report's options are a table of their own with readable labels and no key shown twice; the
    /// per-class table has F1; the command that reproduces the run is on the page.
    func testReportSeparatesResultsOptionsAndPerClassScores() throws {
        var options = TrainingOptions()
        options.dataset = "mnist"
        options.model = "resnet"
        options.learningRate = 0.05
        options.schedule = "exponential"
        options.decayFactor = 0.9
        options.modelOptions.resnetDepth = 32
        options.dataDirectory = "/data/my sets"
        var metrics = RunMetrics(dataset: "mnist", model: "resnet")
        metrics.options = options.describedValues()
        metrics.perClass = RunMetrics.classScores(confusion: [[3, 1], [0, 4]], classNames: ["a", "b"])
        let report = RunReport(title: "t", history: History(), summary: "", metrics: metrics, classNames: ["a", "b"],
                               command: options.commandLine())
        let html = report.html()
        for key in ["dataset", "model", "seed", "epochs"] {
            XCTAssertEqual(html.components(separatedBy: "<th style=\"text-align:left\">\(key)</th>").count - 1, 1, key)
        }
        XCTAssertTrue(html.contains("<h2>Options</h2>"))
        XCTAssertTrue(html.contains("<th style=\"text-align:left\">learning rate</th><td>0.05</td>"), html)
        XCTAssertTrue(html.contains("<th style=\"text-align:left\">resnet depth</th><td>32</td>"))
        XCTAssertFalse(html.contains(">learningRate<"), "no camelCase keys")
        // a: precision 1, recall 0.75, F1 6/7; b: precision 0.8, recall 1, F1 8/9.
        XCTAssertTrue(html.contains("<tr><td>a</td><td>1.0000</td><td>0.7500</td><td>0.8571</td><td>4</td></tr>"), html)
        XCTAssertTrue(html.contains("<tr><td>b</td><td>0.8000</td><td>1.0000</td><td>0.8889</td><td>4</td></tr>"))
        XCTAssertEqual(options.commandLine(),
                       "strata train --dataset mnist --model resnet --epochs 5 --batch-size 128 --learning-rate 0.05 "
                       + "--schedule exponential --decay 0.9 --resnet-depth 32 --data-dir '/data/my sets'")
        XCTAssertTrue(html.contains("<h2>Command</h2><pre>strata train --dataset mnist"))
    }
}
