import Foundation

/// The benchmark's settings, from `--name value` pairs and the flag `--reuse-store`.
struct TrackBenchOptions {
    var runs = 1000
    var steps = 10_000
    var metrics = 5
    var seed: UInt64 = 1
    var flushSteps = 100
    var database = ".build/trackbench/strata.sqlite"
    var repeats = 5
    var compareRuns = 10
    var filter = "params.learning_rate < 0.01 and metrics.val_accuracy > 0.9"
    var sort = "-metrics.val_accuracy"
    var json: String?
    var reuseStore = false

    static let help = """
    usage: strata-trackbench [--runs 1000] [--steps 10000] [--metrics 5] [--seed 1] [--flush-steps 100]
                             [--db .build/trackbench/strata.sqlite] [--reuse-store] [--repeat 5]
                             [--compare-runs 10] [--where FILTER] [--sort KEY] [--json FILE]
    Fills a new store at --db (an existing file there is replaced unless --reuse-store finds it already
    holds --runs runs) with --runs runs × --steps steps × --metrics metrics and parameters per run, written
    as the Tracker writes them: one transaction (RunStore.append) per --flush-steps steps. Then times, as
    the median of --repeat runs after one warm-up: the --where/--sort search (alone, and with each run's
    params and metric summaries, what a runs page shows), listing every run with its params and summaries,
    and a compare: the full series of one metric (`loss`) of the first --compare-runs runs the search
    found, through RunStore.points(runID:name:). --json FILE appends one JSON object per measurement.
    """

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let name = rest.popFirst() {
            switch name {
            case "--help", "-h": print(Self.help); exit(0)
            case "--reuse-store": reuseStore = true; continue
            default: break
            }
            guard let value = rest.popFirst() else { throw TrackBenchError("\(name) needs a value") }
            func number() throws -> Int {
                guard let number = Int(value), number > 0 else { throw TrackBenchError("\(name): '\(value)' is not a positive number") }
                return number
            }
            switch name {
            case "--runs": runs = try number()
            case "--steps": steps = try number()
            case "--metrics": metrics = try number()
            case "--seed": seed = UInt64(try number())
            case "--flush-steps": flushSteps = try number()
            case "--db": database = value
            case "--repeat": repeats = try number()
            case "--compare-runs": compareRuns = try number()
            case "--where": filter = value
            case "--sort": sort = value
            case "--json": json = value
            default: throw TrackBenchError("unknown option \(name) (see --help)")
            }
        }
    }
}

/// A bad option or a store that does not hold what the benchmark expects.
struct TrackBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
