import Foundation
import StrataPlot
import StrataTrain

/// Charts redrawn from saved run folders (`strata plot`): one run's own charts, or several runs'
/// curves overlaid on one chart.
public enum RunPlots {
    /// A run's history and metrics, read back from its folder.
    public struct SavedRun: Sendable {
        /// The folder's name, used as the series name.
        public let name: String
        /// The per-epoch history (`history.json`).
        public let history: History
        /// The final numbers (`metrics.json`), when the run finished.
        public let metrics: RunMetrics?
    }

    /// Reads `history.json` (required) and `metrics.json` (optional) of the run in `path`.
    public static func load(_ path: String) throws -> SavedRun {
        let folder = URL(fileURLWithPath: path)
        let historyFile = folder.appendingPathComponent("history.json")
        guard let data = try? Data(contentsOf: historyFile) else {
            throw ExperimentError("\(path): no history.json (is it a finished strata run folder?)")
        }
        let history: History
        do {
            history = try JSONDecoder().decode(History.self, from: data)
        } catch {
            throw ExperimentError("\(historyFile.path): not a readable history: \(error)")
        }
        let metrics = (try? Data(contentsOf: folder.appendingPathComponent("metrics.json")))
            .flatMap { try? JSONDecoder().decode(RunMetrics.self, from: $0) }
        return SavedRun(name: folder.standardizedFileURL.lastPathComponent, history: history, metrics: metrics)
    }

    /// Redraws `accuracy.png`, `loss.png` and (when the metrics hold it) `confusion.png` of one run into `output`.
    @discardableResult
    public static func redraw(_ path: String, into output: URL) throws -> [URL] {
        let run = try load(path)
        let classNames = run.metrics?.perClass.map(\.name) ?? []
        let report = RunReport(title: run.name, history: run.history, summary: "", metrics: run.metrics ?? RunMetrics(dataset: "", model: ""),
                               classNames: classNames, confusion: run.metrics?.confusion)
        var written: [URL] = []
        for chart in report.charts() {
            let url = output.appendingPathComponent(chart.file)
            _ = try chart.chart.save(to: url)
            written.append(url)
        }
        return written
    }

    /// Overlays the validation (else training) accuracy and loss of several runs, one series per run,
    /// as `compare-accuracy.png` and `compare-loss.png` in `output`.
    @discardableResult
    public static func compare(_ paths: [String], into output: URL) throws -> [URL] {
        let runs = try paths.map(load)
        var written: [URL] = []
        for (quantity, title) in [("accuracy", "Accuracy"), ("loss", "Loss")] {
            var chart = LineChart(title: "\(title) of \(runs.count) runs", xLabel: "epoch", yLabel: quantity)
            for run in runs {
                let series = run.history["val_" + quantity].isEmpty ? run.history[quantity] : run.history["val_" + quantity]
                guard !series.isEmpty else { continue }
                chart.add(series: run.name, x: run.history.epochs.map(Double.init), y: series)
            }
            let url = output.appendingPathComponent("compare-\(quantity).png")
            _ = try chart.save(to: url)
            written.append(url)
        }
        return written
    }
}
