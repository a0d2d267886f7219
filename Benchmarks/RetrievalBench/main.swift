// strata-retrievalbench: k-means seconds per iteration (from given initial centres) and final
// inertia, exact top-10 queries per second, and IVF queries per second with recall@10 against the
// exact answer, batched and one query at a time. Run in release:
// `swift run -c release strata-retrievalbench --help`.
//
// Data is random unit vectors or Gaussian blobs (seeded, `--data`) unless `--base`/`--queries-file`
// name raw float32 files. `--write DIR` saves base.f32, queries.f32 and the initial centres
// centres_<k>.f32 (the first k base vectors), so a Python peer (bench/reference/retrieval_bench.py:
// FAISS, scikit-learn) runs on the same data from the same start; bench/compare-retrieval does that.
// `--json` prints one JSON object per measurement (the progress lines go to standard error).
// As the other benchmarks, it restarts itself once with OMP_WAIT_POLICY=PASSIVE (`WaitPolicy`).
import Foundation
import StrataCore
import StrataRetrieval

/// Whether `seconds` reads the process's CPU time (`--clock cpu`) instead of the wall clock.
nonisolated(unsafe) var measuresCPUTime = false

/// Now, in seconds, on the clock `measuresCPUTime` chooses.
func clockSeconds() -> Double {
    guard measuresCPUTime else { return Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = clockSeconds()
    try body()
    return clockSeconds() - start
}

/// Queries per second of `body`, which answers `queries` queries: it runs at least once and again
/// until `minimumSeconds` have passed in all.
func queriesPerSecond(_ queries: Int, minimumSeconds: Double, _ body: () throws -> Void) rethrows -> Double {
    var runs = 0, elapsed = 0.0
    repeat {
        elapsed += try seconds(body)
        runs += 1
    } while elapsed < minimumSeconds
    return Double(queries * runs) / elapsed
}

/// The mean fraction of each exact top-10 found in the approximate top-10.
func recall(_ found: [[SearchHit]], _ exact: [[SearchHit]]) -> Double {
    var total = 0.0
    for (hits, truth) in zip(found, exact) {
        let truthIDs = Set(truth.map(\.item.id))
        total += Double(hits.filter { truthIDs.contains($0.item.id) }.count) / Double(max(truth.count, 1))
    }
    return total / Double(max(exact.count, 1))
}

/// Prints each measurement as a line of text, or with `--json` as one JSON object (the text going
/// to standard error) carrying the run's common fields.
struct Reporter {
    let json: Bool
    let common: [String: Any]

    func emit(_ text: String, _ fields: [String: Any]) {
        guard json else { print(text); return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        let record = common.merging(fields) { _, new in new }
        let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    func note(_ text: String) {
        if json { FileHandle.standardError.write(Data((text + "\n").utf8)) } else { print(text) }
    }
}

try EnvironmentSettings.check()
try WaitPolicy.relaunchIfNeeded()  // passive OpenMP waiting: spinning collapses on a shared machine
do {
    let options = try BenchOptions(Array(CommandLine.arguments.dropFirst()))
    measuresCPUTime = options.cpuClock
    let generated = options.base == nil || options.queriesFile == nil
        ? BenchData.generate(options.data, count: options.count, queries: options.queries, dimension: options.dimension,
                             blobs: options.blobs, seed: options.seed)
        : nil
    let base = try options.base.map { try BenchData.readFloat32($0, dimension: options.dimension) } ?? generated!.base
    let queries = try options.queriesFile.map { try BenchData.readFloat32($0, dimension: options.dimension) }
        ?? generated!.queries
    let lists = options.lists ?? min(1024, max(1, base.count / 39))
    let dataset = options.dataset ?? (options.base == nil ? options.data.rawValue : "file")
    let reporter = Reporter(json: options.json, common: [
        "framework": "strata", "dataset": dataset, "threads": ThreadPolicy.threadCount, "count": base.count,
        "dimension": base.dimension, "queries": queries.count, "metric": options.metric.rawValue,
        "clock": options.cpuClock ? "cpu" : "wall",
    ])
    reporter.note("strata-retrievalbench: \(dataset) \(base.count) × \(base.dimension) base, \(queries.count) queries, "
        + "\(ThreadPolicy.threadCount) threads, metric \(options.metric.rawValue)")
    if let folder = options.write {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try BenchData.writeFloat32(base, to: folder + "/base.f32")
        try BenchData.writeFloat32(queries, to: folder + "/queries.f32")
        for k in Set(options.kmeansClusters + [lists]) where k <= base.count {
            try BenchData.writeFloat32(BenchData.prefix(base, k), to: folder + "/centres_\(k).f32")
        }
        reporter.note("wrote base.f32, queries.f32 and centres_<k>.f32 (the first k base vectors) to \(folder)")
        if options.writeOnly { exit(0) }
    }

    // k-means from the first k vectors; the time includes one last assignment for the final labels
    // and inertia, as scikit-learn's fit does (the FAISS peer times one too).
    for k in options.kmeansClusters where k <= base.count {
        let kmeans = KMeans(options: KMeansOptions(clusterCount: k, maximumIterations: options.iterations, tolerance: 0,
                                                   initialCentres: BenchData.prefix(base, k)))
        // A one-iteration run first, so oneDNN's kernel generation for these shapes is not timed.
        var warmUp = kmeans
        warmUp.options.maximumIterations = 1
        _ = try warmUp.fit(base)
        var result: KMeansResult!
        let time = try seconds { result = try kmeans.fit(base) }
        let perIteration = time / Double(max(result.iterations, 1))
        reporter.emit(String(format: "k-means k=%d: %.4f s/iteration (%d iterations + final assignment in %.3f s), inertia %.6g",
                             k, perIteration, result.iterations, time, result.inertia),
                      ["task": "kmeans", "k": k, "seconds_per_iteration": perIteration, "iterations": result.iterations,
                       "seconds": time, "inertia": result.inertia])
    }

    let items = (0..<base.count).map { IndexItem(id: $0, label: "", path: "") }
    var flat = FlatIndex(dimension: base.dimension, metric: options.metric)
    try flat.add(base, items: items)
    var exact: [[SearchHit]] = try flat.search(BenchData.prefix(queries, min(queries.count, 10)), k: 10)  // warm-up
    let flatBatched = try queriesPerSecond(queries.count, minimumSeconds: options.minimumSeconds) {
        exact = try flat.search(queries, k: 10)
    }
    let singles = min(options.singleQueries, queries.count)
    let flatSingle = try queriesPerSecond(singles, minimumSeconds: options.minimumSeconds) {
        for q in 0..<singles { _ = try flat.search(Array(queries.vector(at: q)), k: 10) }
    }
    reporter.emit(String(format: "flat top-10: %.0f queries/s batched, %.0f queries/s one at a time", flatBatched, flatSingle),
                  ["task": "flat", "batched_qps": flatBatched, "single_qps": flatSingle, "single_queries": singles])

    var ivf: IVFIndex!
    let train = try seconds {
        ivf = try IVFIndex.train(on: base, listCount: lists, metric: options.metric,
                                 options: KMeansOptions(clusterCount: lists, maximumIterations: options.ivfIterations,
                                                        tolerance: 0, initialCentres: BenchData.prefix(base, lists)))
        try ivf.add(base, items: items)
    }
    reporter.emit(String(format: "IVF %d lists: trained (%d iterations) and filled in %.2f s", lists, options.ivfIterations, train),
                  ["task": "ivf-build", "lists": lists, "iterations": options.ivfIterations, "seconds": train])
    for nprobe in options.nprobes where nprobe <= lists {
        var found = try ivf.search(BenchData.prefix(queries, min(queries.count, 10)), k: 10, nprobe: nprobe)  // warm-up
        let batched = try queriesPerSecond(queries.count, minimumSeconds: options.minimumSeconds) {
            found = try ivf.search(queries, k: 10, nprobe: nprobe)
        }
        let single = try queriesPerSecond(singles, minimumSeconds: options.minimumSeconds) {
            for q in 0..<singles { _ = try ivf.search(Array(queries.vector(at: q)), k: 10, nprobe: nprobe) }
        }
        let recallAt10 = recall(found, exact)
        reporter.emit(String(format: "IVF nprobe=%d: recall@10 %.4f, %.0f queries/s batched, %.0f queries/s one at a time",
                             nprobe, recallAt10, batched, single),
                      ["task": "ivf", "lists": lists, "nprobe": nprobe, "recall_at_10": recallAt10, "batched_qps": batched,
                       "single_qps": single, "single_queries": singles])
    }
} catch {
    FileHandle.standardError.write(Data("strata-retrievalbench: \(error)\n".utf8))
    exit(1)
}
