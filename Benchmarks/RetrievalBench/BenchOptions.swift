import Foundation
import StrataCore
import StrataRetrieval

/// The benchmark's settings, from `--name value` pairs and the flags `--json` and `--write-only`.
struct BenchOptions {
    var count = 20_000
    var dimension = 64
    var queries = 500
    var singleQueries = 100
    var kmeansClusters = [6, 256, 1024]
    var iterations = 5
    var lists: Int?
    var ivfIterations = 10
    var nprobes = [1, 4, 16, 64]
    var metric = IndexMetric.innerProduct
    var seed: UInt64 = 1
    var data = BenchData.Kind.random
    var blobs = 1000
    var dataset: String?
    var minimumSeconds = 0.0
    var base: String?
    var queriesFile: String?
    var write: String?
    var writeOnly = false
    var json = false
    var cpuClock = false

    static let help = """
    usage: strata-retrievalbench [--count 20000] [--dimension 64] [--queries 500] [--single-queries 100]
                                 [--kmeans-k 6,256,1024] [--iterations 5] [--lists N] [--ivf-iterations 10]
                                 [--nprobe 1,4,16,64] [--metric inner_product|l2] [--seed 1] [--threads N]
                                 [--data random|blobs] [--blobs 1000] [--dataset NAME] [--min-seconds 0]
                                 [--base base.f32] [--queries-file queries.f32] [--write DIR] [--write-only]
                                 [--clock wall|cpu] [--json]
    --data random: unit vectors with N(0, 1) directions; blobs: --blobs Gaussian blobs (centres uniform
      in [-10, 10]^d, standard deviation 1, as scikit-learn's make_blobs), queries from the same blobs.
    --lists defaults to min(1024, count / 39); the IVF centres are --ivf-iterations Lloyd iterations
      from the first `lists` base vectors.
    --min-seconds repeats each timed search until that much time has passed (queries/s is the mean).
    --write DIR saves base.f32, queries.f32 and centres_<k>.f32 (the first k base vectors) there;
      with --write-only nothing is measured. --json prints one JSON object per measurement.
    --clock cpu times with the process's CPU time (all threads) instead of the wall clock: for A/B runs
      on a machine other processes keep busy, where waiting for a core would count as wall time.
    """

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func ints(_ text: String) throws -> [Int] {
            try text.split(separator: ",").map {
                guard let value = Int($0) else { throw BenchError("not a number: \($0)") }
                return value
            }
        }
        while let name = rest.popFirst() {
            switch name {
            case "--help": print(Self.help); exit(0)
            case "--json": json = true; continue
            case "--write-only": writeOnly = true; continue
            default: break
            }
            guard let value = rest.popFirst() else { throw BenchError("\(name) needs a value") }
            switch name {
            case "--count": count = try ints(value)[0]
            case "--dimension": dimension = try ints(value)[0]
            case "--queries": queries = try ints(value)[0]
            case "--single-queries": singleQueries = try ints(value)[0]
            case "--kmeans-k": kmeansClusters = try ints(value)
            case "--iterations": iterations = try ints(value)[0]
            case "--lists": lists = try ints(value)[0]
            case "--ivf-iterations": ivfIterations = try ints(value)[0]
            case "--nprobe": nprobes = try ints(value)
            case "--metric":
                guard let m = IndexMetric(rawValue: value) else { throw BenchError("unknown metric \(value)") }
                metric = m
            case "--seed": seed = UInt64(try ints(value)[0])
            case "--threads": ThreadPolicy.setThreadCount(try ints(value)[0])
            case "--data":
                guard let kind = BenchData.Kind(rawValue: value) else {
                    throw BenchError("unknown --data \(value); choose random or blobs")
                }
                data = kind
            case "--blobs": blobs = try ints(value)[0]
            case "--dataset": dataset = value
            case "--min-seconds":
                guard let seconds = Double(value) else { throw BenchError("not a number: \(value)") }
                minimumSeconds = seconds
            case "--base": base = value
            case "--queries-file": queriesFile = value
            case "--write": write = value
            case "--clock":
                guard value == "wall" || value == "cpu" else { throw BenchError("--clock must be wall or cpu, got \(value)") }
                cpuClock = value == "cpu"
            default: throw BenchError("unknown option \(name)\n\(Self.help)")
            }
        }
        if writeOnly && write == nil { throw BenchError("--write-only needs --write DIR") }
    }
}

/// A benchmark usage or file error.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
