// strata-retrievalbench: k-means seconds per iteration (from given initial centres), exact top-10
// queries per second, and IVF queries per second with recall@10 against the exact answer, batched
// and one query at a time. Run in release: `swift run -c release strata-retrievalbench --help`.
//
// Data is random unit vectors (seeded) unless `--base`/`--queries-file` name raw float32 files
// (row-major, little-endian, `count × dimension`, what NumPy's `tofile` writes). `--write DIR` saves
// base.f32, queries.f32 and the initial centres centres_<k>.f32 (the first k base vectors), so a
// Python peer (FAISS, scikit-learn) can run on the same data from the same start.
import Foundation
import StrataCore
import StrataRetrieval

/// The benchmark's settings, from `--name value` pairs.
struct BenchOptions {
    var count = 20_000
    var dimension = 64
    var queries = 500
    var singleQueries = 100
    var kmeansClusters = [6, 256, 1024]
    var iterations = 5
    var lists: Int?
    var nprobes = [1, 4, 16, 64]
    var metric = IndexMetric.innerProduct
    var seed: UInt64 = 1
    var base: String?
    var queriesFile: String?
    var write: String?

    static let help = """
    usage: strata-retrievalbench [--count 20000] [--dimension 64] [--queries 500] [--single-queries 100]
                                 [--kmeans-k 6,256,1024] [--iterations 5] [--lists N] [--nprobe 1,4,16,64]
                                 [--metric inner_product|l2] [--seed 1] [--threads N]
                                 [--base base.f32] [--queries-file queries.f32] [--write DIR]
    --lists defaults to min(1024, count / 39).
    """

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func ints(_ text: String) throws -> [Int] {
            try text.split(separator: ",").map { guard let v = Int($0) else { throw BenchError("not a number: \($0)") }; return v }
        }
        while let name = rest.popFirst() {
            if name == "--help" { print(Self.help); exit(0) }
            guard let value = rest.popFirst() else { throw BenchError("\(name) needs a value") }
            switch name {
            case "--count": count = try ints(value)[0]
            case "--dimension": dimension = try ints(value)[0]
            case "--queries": queries = try ints(value)[0]
            case "--single-queries": singleQueries = try ints(value)[0]
            case "--kmeans-k": kmeansClusters = try ints(value)
            case "--iterations": iterations = try ints(value)[0]
            case "--lists": lists = try ints(value)[0]
            case "--nprobe": nprobes = try ints(value)
            case "--metric":
                guard let m = IndexMetric(rawValue: value) else { throw BenchError("unknown metric \(value)") }
                metric = m
            case "--seed": seed = UInt64(try ints(value)[0])
            case "--threads": ThreadPolicy.setThreadCount(try ints(value)[0])
            case "--base": base = value
            case "--queries-file": queriesFile = value
            case "--write": write = value
            default: throw BenchError("unknown option \(name)\n\(Self.help)")
            }
        }
    }
}

/// A benchmark usage or file error.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// `count` random unit vectors of `dimension` values.
func randomUnitVectors(count: Int, dimension: Int, generator: inout RandomGenerator) -> VectorSet {
    var values = [Float](repeating: 0, count: count * dimension)
    for row in 0..<count {
        var total: Float = 0
        for j in 0..<dimension {
            values[row * dimension + j] = generator.nextNormal()
            total += values[row * dimension + j] * values[row * dimension + j]
        }
        let scale = 1 / max(total.squareRoot(), 1e-12)
        for j in 0..<dimension { values[row * dimension + j] *= scale }
    }
    return VectorSet(dimension: dimension, values: values)
}

/// The raw float32 file at `path` as vectors of `dimension`.
func readFloat32(_ path: String, dimension: Int) throws -> VectorSet {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard data.count % (4 * dimension) == 0 else {
        throw BenchError("\(path): \(data.count) bytes are not a whole number of \(dimension)-dimensional float32 vectors")
    }
    let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    return VectorSet(dimension: dimension, values: values)
}

/// Writes `set` to `path` as raw float32.
func writeFloat32(_ set: VectorSet, to path: String) throws {
    try set.values.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
}

/// The first `count` vectors of `set`.
func prefix(_ set: VectorSet, _ count: Int) -> VectorSet {
    VectorSet(dimension: set.dimension, values: Array(set.values[0..<(count * set.dimension)]))
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

do {
    let options = try BenchOptions(Array(CommandLine.arguments.dropFirst()))
    var generator = RandomGenerator(seed: options.seed)
    let base = try options.base.map { try readFloat32($0, dimension: options.dimension) }
        ?? randomUnitVectors(count: options.count, dimension: options.dimension, generator: &generator)
    let queries = try options.queriesFile.map { try readFloat32($0, dimension: options.dimension) }
        ?? randomUnitVectors(count: options.queries, dimension: options.dimension, generator: &generator)
    let lists = options.lists ?? min(1024, max(1, base.count / 39))
    print("strata-retrievalbench: \(base.count) × \(base.dimension) base, \(queries.count) queries, "
        + "\(ThreadPolicy.threadCount) threads, metric \(options.metric.rawValue)")
    if let folder = options.write {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try writeFloat32(base, to: folder + "/base.f32")
        try writeFloat32(queries, to: folder + "/queries.f32")
        for k in Set(options.kmeansClusters + [lists]) where k <= base.count {
            try writeFloat32(prefix(base, k), to: folder + "/centres_\(k).f32")
        }
        print("wrote base.f32, queries.f32 and centres_<k>.f32 (the first k base vectors) to \(folder)")
    }

    // k-means from the first k vectors; the time includes one last assignment for the final labels.
    for k in options.kmeansClusters where k <= base.count {
        let kmeans = KMeans(options: KMeansOptions(clusterCount: k, maximumIterations: options.iterations, tolerance: 0,
                                                   initialCentres: prefix(base, k)))
        // A one-iteration run first, so oneDNN's kernel generation for these shapes is not timed.
        var warmUp = kmeans
        warmUp.options.maximumIterations = 1
        _ = try warmUp.fit(base)
        var result: KMeansResult!
        let time = try seconds { result = try kmeans.fit(base) }
        print(String(format: "k-means k=%d: %.4f s/iteration (%d iterations + final assignment in %.3f s), inertia %.6g",
                     k, time / Double(max(result.iterations, 1)), result.iterations, time, result.inertia))
    }

    let items = (0..<base.count).map { IndexItem(id: $0, label: "", path: "") }
    var flat = FlatIndex(dimension: base.dimension, metric: options.metric)
    try flat.add(base, items: items)
    var exact: [[SearchHit]] = try flat.search(prefix(queries, min(queries.count, 10)), k: 10)  // warm-up
    let flatTime = try seconds { exact = try flat.search(queries, k: 10) }
    let singles = min(options.singleQueries, queries.count)
    let flatSingle = try seconds { for q in 0..<singles { _ = try flat.search(Array(queries.vector(at: q)), k: 10) } }
    print(String(format: "flat top-10: %.0f queries/s batched, %.0f queries/s one at a time",
                 Double(queries.count) / flatTime, Double(singles) / flatSingle))

    var ivf: IVFIndex!
    let train = try seconds {
        ivf = try IVFIndex.train(on: base, listCount: lists, metric: options.metric,
                                 options: KMeansOptions(clusterCount: lists, maximumIterations: 10, tolerance: 0,
                                                        initialCentres: prefix(base, lists)))
        try ivf.add(base, items: items)
    }
    print(String(format: "IVF %d lists: trained (10 iterations) and filled in %.2f s", lists, train))
    for nprobe in options.nprobes where nprobe <= lists {
        var found = try ivf.search(prefix(queries, min(queries.count, 10)), k: 10, nprobe: nprobe)  // warm-up
        let batched = try seconds { found = try ivf.search(queries, k: 10, nprobe: nprobe) }
        let single = try seconds {
            for q in 0..<singles { _ = try ivf.search(Array(queries.vector(at: q)), k: 10, nprobe: nprobe) }
        }
        print(String(format: "IVF nprobe=%d: recall@10 %.4f, %.0f queries/s batched, %.0f queries/s one at a time",
                     nprobe, recall(found, exact), Double(queries.count) / batched, Double(singles) / single))
    }
} catch {
    print("strata-retrievalbench: \(error)")
    exit(1)
}
