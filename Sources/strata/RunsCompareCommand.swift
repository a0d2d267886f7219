import ArgumentParser
import Foundation
import StrataPlot
import StrataTracking

/// `strata runs compare <run…>`: parameters and best metrics side by side, and a metric's curves overlaid in a PNG.
struct RunsCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Parameters and best metrics of runs side by side (* marks a difference), and one metric's curves overlaid in a PNG.")

    @OptionGroup var store: StoreOption

    @Argument(help: "The runs: numbers, names or folders.")
    var runs: [String]

    @Option(help: "The metric drawn (default: val_accuracy, accuracy, val_loss or loss, the first the runs have).")
    var metric: String?

    @Option(help: "The x axis: step, epoch (each epoch's last value) or time (seconds since the run started).")
    var x: Axis = .step

    @Option(help: "The PNG written (default: compare-<runs>-<metric>.png beside the store).")
    var out: String?

    /// The quantities on the x axis.
    enum Axis: String, ExpressibleByArgument, CaseIterable { case step, epoch, time }

    func validate() throws {
        guard runs.count >= 1 else { throw ValidationError("name at least one run") }
    }

    func run() throws {
        let store = try self.store.open()
        let chosen = try self.store.runs(runs, in: store)
        let ids = chosen.map(\.id)
        let params = try store.params(of: ids), summaries = try store.summaries(of: ids)
        let headers = chosen.map { "\($0.id) \($0.name)" }

        var table = TextTable(["parameter"] + headers + [""])
        for name in Set(params.values.flatMap(\.keys)).sorted() {
            let values = ids.map { params[$0]?[name] ?? "-" }
            table.add([name] + values + [Set(values).count > 1 ? "*" : ""])
        }
        print(table.text)
        var metrics = TextTable(["best metric"] + headers)
        for name in Set(summaries.values.flatMap(\.keys)).sorted() {
            metrics.add([name] + ids.map { id in summaries[id]?[name].map { TextTable.number($0.best ?? $0.latest) } ?? "-" })
        }
        print("\n" + metrics.text)

        let names = Set(summaries.values.flatMap(\.keys))
        guard let metric = metric ?? ["val_accuracy", "accuracy", "val_loss", "loss"].first(where: names.contains) ?? names.sorted().first else {
            print("\nno metric recorded for these runs: no chart")
            return
        }
        guard names.contains(metric) else {
            throw ValidationError("no run among \(runs.joined(separator: ", ")) has the metric '\(metric)'; they have \(names.sorted().joined(separator: ", "))")
        }
        var chart = LineChart(title: "\(metric) by \(x.rawValue)", xLabel: x == .time ? "seconds" : x.rawValue, yLabel: metric)
        for (index, run) in chosen.enumerated() {
            let series = Self.series(try store.points(runID: run.id, name: metric), axis: x, started: run.started)
            guard !series.x.isEmpty else { continue }
            chart.add(series: "\(run.id) \(run.name)", x: series.x, y: series.y, color: Palette.tab10[index % 10],
                      marker: series.x.count <= 30 ? .circle : .none)
        }
        let folder = URL(fileURLWithPath: store.path).deletingLastPathComponent()
        let url = out.map { URL(fileURLWithPath: $0) }
            ?? folder.appendingPathComponent("compare-\(ids.map(String.init).joined(separator: "-"))-\(metric).png")
        _ = try chart.save(to: url)
        print("\nwrote \(url.path)")
    }

    /// The curve of `points` against step, epoch (each epoch's last point) or seconds since `started`.
    static func series(_ points: [MetricPoint], axis: Axis, started: Double) -> (x: [Double], y: [Double]) {
        switch axis {
        case .step:
            return (points.map { Double($0.step) }, points.map(\.value))
        case .time:
            return (points.map { $0.wallTime - started }, points.map(\.value))
        case .epoch:
            var last: [Int: MetricPoint] = [:]
            for point in points { if let epoch = point.epoch { last[epoch] = point } }
            let epochs = last.keys.sorted()
            return (epochs.map(Double.init), epochs.map { last[$0]!.value })
        }
    }
}
