import Foundation
import StrataExperiments
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
}
