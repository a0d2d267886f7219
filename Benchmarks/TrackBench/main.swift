// strata-trackbench: the run store at scale. Fills a store with runs × steps × metrics through the
// Tracker's batched-append path and times writing (points/s), a filtered and sorted search, listing
// every run, and reading several runs' full series of one metric (a compare). Run in release:
// `swift run -c release strata-trackbench --help`. bench/compare-tracking runs it beside MLflow
// (bench/reference/mlflow_bench.py), which makes the same runs from the same seed (SyntheticRuns).
import Foundation
import StrataTracking

/// Seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The median seconds of `repeats` runs of `body`, after one run not timed.
func medianSeconds(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    let times = try (0..<repeats).map { _ in try seconds(body) }.sorted()
    return times[times.count / 2]
}

/// Writes the runs into `store` as the Tracker does; returns the seconds spent in the store's calls.
func fill(_ store: RunStore, _ runs: SyntheticRuns, flushSteps: Int) throws -> Double {
    let names = runs.names
    var storeTime = 0.0
    var batch: [MetricPoint] = []
    batch.reserveCapacity(flushSteps * runs.metrics)
    for run in 0..<runs.runs {
        var id: Int64 = 0
        storeTime += try seconds {
            id = try store.beginRun(NewRun(name: String(format: "run-%05d", run), experiment: "trackbench",
                                           command: "strata-trackbench", params: runs.params(run)),
                                    started: runs.started(run))
        }
        for step in 1...runs.steps {
            let (epoch, isEnd) = runs.epoch(step)
            let time = runs.wallTime(run, step)
            for metric in 0..<runs.metrics {
                batch.append(MetricPoint(name: names[metric], step: step, epoch: epoch, wallTime: time,
                                         value: runs.value(run, step, metric), isSummary: isEnd))
            }
            if step % flushSteps == 0 || step == runs.steps {
                storeTime += try seconds { try store.append(batch, runID: id) }
                batch.removeAll(keepingCapacity: true)
            }
        }
        storeTime += try seconds { try store.finishRun(id, status: .finished, ended: runs.wallTime(run, runs.steps)) }
        if (run + 1) % max(1, runs.runs / 10) == 0 {
            FileHandle.standardError.write(Data("strata-trackbench: wrote \(run + 1) of \(runs.runs) runs\n".utf8))
        }
    }
    return storeTime
}

do {
    let options = try TrackBenchOptions(Array(CommandLine.arguments.dropFirst()))
    let runs = SyntheticRuns(seed: options.seed, runs: options.runs, steps: options.steps, metrics: options.metrics)
    let filter = try RunFilter(parsing: options.filter), sort = [try RunSort(parsing: options.sort)]
    let compareMetric = runs.names[min(1, runs.metrics - 1)]
    var rows: [(task: String, value: String)] = []
    var records: [[String: Any]] = []
    func report(_ task: String, _ shown: String, _ fields: [String: Any]) {
        rows.append((task, shown))
        records.append(["framework": "strata", "task": task, "runs": options.runs, "steps": options.steps,
                        "metrics": options.metrics].merging(fields) { _, new in new })
    }

    let points = options.runs * options.steps * options.metrics
    var reused = false
    if options.reuseStore, FileManager.default.fileExists(atPath: options.database) {
        reused = try RunStore(path: options.database).runs().count == options.runs
    }
    if !reused {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: options.database + suffix) }
    }
    let store = try RunStore(path: options.database)
    if !reused {
        var storeTime = 0.0
        let total = try seconds { storeTime = try fill(store, runs, flushSteps: options.flushSteps) }
        report("write", String(format: "%.0f points/s (%d points in %.1f s; %.1f s in the store's calls)",
                               Double(points) / total, points, total, storeTime),
               ["points": points, "seconds": total, "store_seconds": storeTime, "points_per_second": Double(points) / total,
                "flush_steps": options.flushSteps])
    } else {
        FileHandle.standardError.write(Data("strata-trackbench: reusing the store at \(options.database)\n".utf8))
    }
    let bytes = (try? FileManager.default.attributesOfItem(atPath: options.database)[.size] as? Int) ?? 0
    report("store_size", String(format: "%.2f GB", Double(bytes) / 1e9), ["bytes": bytes])

    var found: [RunRecord] = []
    let search = try medianSeconds(options.repeats) { found = try store.runs(where: filter, sort: sort) }
    report("search", String(format: "%.2f ms, %d runs", search * 1000, found.count),
           ["seconds": search, "matches": found.count, "where": options.filter, "sort": options.sort])
    let searchWithData = try medianSeconds(options.repeats) {
        let ids = try store.runs(where: filter, sort: sort).map(\.id)
        _ = try store.params(of: ids)
        _ = try store.summaries(of: ids)
    }
    report("search_with_data", String(format: "%.2f ms (with params and metric summaries)", searchWithData * 1000),
           ["seconds": searchWithData, "matches": found.count])
    var listed = 0
    let list = try medianSeconds(options.repeats) {
        let ids = try store.runs().map(\.id)
        _ = try store.params(of: ids)
        _ = try store.summaries(of: ids)
        listed = ids.count
    }
    report("list_all", String(format: "%.2f ms, %d runs with params and metric summaries", list * 1000, listed),
           ["seconds": list, "listed": listed])

    // A compare reads each run's full series (a downsampled one reads them too, to bucket them):
    // `points(runID:name:)`, what `strata runs compare` reads.
    let ids = Array(found.prefix(options.compareRuns).map(\.id))
    var comparedPoints = 0
    let compare = try medianSeconds(options.repeats) {
        comparedPoints = try ids.reduce(0) { $0 + (try store.points(runID: $1, name: compareMetric)).count }
    }
    report("compare_full", String(format: "%.2f ms, %d runs' %@, %d points", compare * 1000, ids.count, compareMetric, comparedPoints),
           ["seconds": compare, "points": comparedPoints, "compare_runs": ids.count, "metric": compareMetric, "compare_ids": ids])

    print("strata-trackbench: \(options.runs) runs × \(options.steps) steps × \(options.metrics) metrics in \(options.database)")
    print("| measurement | result |\n| --- | --- |")
    for row in rows { print("| \(row.task) | \(row.value) |") }
    if let path = options.json {
        var text = ""
        for record in records {
            text += String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try handle.close()
        } else {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
} catch {
    FileHandle.standardError.write(Data("strata-trackbench: \(error)\n".utf8))
    exit(1)
}
