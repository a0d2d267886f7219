import Foundation
import StrataData
import StrataPlot
import StrataTrain

/// One training repeated over the values of one option (`strata sweep --batch-size 8,16,32,64`):
/// a run folder per value, curves of every run overlaid, and a table of final accuracies.
public enum Sweep {
    /// One finished run of the sweep.
    public struct Entry: Sendable {
        /// The option's value, as given.
        public let value: String
        /// The run.
        public let run: TrainingRun
    }

    /// Trains once per element of `runs` (label, options) into `<folder>/<option>-<label>`, then writes
    /// `sweep-accuracy.png`, `sweep-loss.png` and `sweep.csv` into `folder` and returns the runs.
    public static func run(option: String, runs: [(label: String, options: TrainingOptions)], folder: String,
                           overwrite: Bool, log: (String) -> Void) throws -> [Entry] {
        guard runs.count >= 1 else { throw ExperimentError("sweep: no values for --\(option)") }
        for (_, options) in runs { try options.validate() }
        let root = URL(fileURLWithPath: folder)
        if FileManager.default.fileExists(atPath: root.path) && !overwrite,
           let contents = try? FileManager.default.contentsOfDirectory(atPath: root.path), !contents.isEmpty {
            throw ExperimentError("sweep folder \(root.path) already exists; pass --overwrite to replace it or --out to choose another")
        }
        var entries: [Entry] = []
        for (index, (label, options)) in runs.enumerated() {
            log("=== sweep \(index + 1)/\(runs.count): --\(option) \(label)")
            let output = root.appendingPathComponent("\(option)-\(label)").path
            let run = try ClassifierTraining.start(options, output: output, overwrite: overwrite, log: log)
            entries.append(Entry(value: label, run: run))
        }
        try writeCharts(option: option, entries: entries, to: root)
        let table = self.table(option: option, entries: entries)
        try AtomicFile.write(Data(table.csv.utf8), to: root.appendingPathComponent("sweep.csv"))
        log(table.text)
        return entries
    }

    /// Overlaid validation (and training) accuracy and loss curves, one colour per value.
    static func writeCharts(option: String, entries: [Entry], to folder: URL) throws {
        for (quantity, title) in [("accuracy", "Accuracy"), ("loss", "Loss")] {
            var chart = LineChart(title: "\(title) by --\(option)", xLabel: "epoch", yLabel: quantity)
            for (index, entry) in entries.enumerated() {
                let history = entry.run.history
                let epochs = history.epochs.map(Double.init)
                let color = Palette.tab10[index]
                if !history["val_" + quantity].isEmpty {
                    chart.add(series: "\(entry.value) validation", x: epochs, y: history["val_" + quantity], color: color)
                }
                chart.add(series: "\(entry.value) training", x: epochs, y: history[quantity], color: color, style: .dashed)
            }
            _ = try chart.save(to: folder.appendingPathComponent("sweep-\(quantity).png"))
        }
    }

    /// The final numbers of every run, as aligned text and as CSV.
    static func table(option: String, entries: [Entry]) -> (text: String, csv: String) {
        var text = "\(option.padding(toLength: 14, withPad: " ", startingAt: 0)) val accuracy  test accuracy  time"
        var csv = "\(option),val_accuracy,test_accuracy,training_seconds,folder\n"
        for entry in entries {
            let metrics = entry.run.metrics
            let validation = metrics.validationAccuracy.map { String(format: "%11.2f%%", $0 * 100) } ?? "          -"
            let test = metrics.testAccuracy.map { String(format: "%12.2f%%", $0 * 100) } ?? "           -"
            text += "\n\(entry.value.padding(toLength: 14, withPad: " ", startingAt: 0)) \(validation)  \(test)  \(String(format: "%.1f s", metrics.trainingSeconds))"
            csv += "\(entry.value),\(metrics.validationAccuracy.map { String($0) } ?? ""),\(metrics.testAccuracy.map { String($0) } ?? ""),\(metrics.trainingSeconds),\(entry.run.folder.url.path)\n"
        }
        return (text, csv)
    }
}
