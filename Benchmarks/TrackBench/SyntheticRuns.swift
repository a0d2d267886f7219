import Foundation

/// The runs the benchmark records: parameters and metric values are pure functions of (seed, run,
/// step, metric) through SplitMix64, so bench/reference/mlflow_bench.py makes the very same runs.
/// Keep the two in step: the formulas here and in its `SyntheticRuns` class are one specification.
struct SyntheticRuns {
    let seed: UInt64
    let runs: Int
    let steps: Int
    let metrics: Int

    /// The learning rates, written as plain decimals so that MLflow's string compare
    /// `params.learning_rate < '0.01'` picks the same runs as Strata's numeric one.
    static let learningRates = ["0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1"]
    static let batchSizes = ["32", "64", "128", "256"]
    static let models = ["mlp", "cnn", "resnet18"]
    static let optimizers = ["sgd", "adam", "adamw"]
    static let dropouts = ["0.0", "0.1", "0.3", "0.5"]
    /// The first five metric names; more are `metric_5`, `metric_6`, …
    static let metricNames = ["val_accuracy", "loss", "accuracy", "val_loss", "grad_norm"]

    /// SplitMix64's output for `x`.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The hash of (seed, run, step, slot).
    func hash(_ run: Int, _ step: Int, _ slot: Int) -> UInt64 {
        Self.mix(Self.mix(Self.mix(seed &+ UInt64(run)) &+ UInt64(step)) &+ UInt64(slot))
    }

    /// A uniform number in [0, 1) from (run, step, slot).
    func uniform(_ run: Int, _ step: Int, _ slot: Int) -> Double { Double(hash(run, step, slot) >> 11) / 9_007_199_254_740_992 }

    /// The metric names.
    var names: [String] { (0..<metrics).map { $0 < Self.metricNames.count ? Self.metricNames[$0] : "metric_\($0)" } }

    /// The parameters of run `run` (0-based).
    func params(_ run: Int) -> [String: String] {
        func pick(_ choices: [String], _ slot: Int) -> String { choices[Int(hash(run, 0, slot) % UInt64(choices.count))] }
        return ["learning_rate": pick(Self.learningRates, 100), "batch_size": pick(Self.batchSizes, 101),
                "model": pick(Self.models, 102), "optimizer": pick(Self.optimizers, 103), "dropout": pick(Self.dropouts, 104),
                "seed": String(run), "epochs": "10"]
    }

    /// The final (and best) validation accuracy of run `run`: 0.5 to 0.99 in steps of 0.000049.
    func finalAccuracy(_ run: Int) -> Double { 0.5 + 0.49 * Double(hash(run, 0, 200) % 10_000) / 10_000 }

    /// Steps per epoch: ten epochs per run.
    var stepsPerEpoch: Int { max(1, steps / 10) }

    /// The value of metric `metric` of run `run` at step `step` (1-based). `val_accuracy` rises without
    /// noise to `finalAccuracy` at the last step, so its best value is its latest (MLflow filters on the latest).
    func value(_ run: Int, _ step: Int, _ metric: Int) -> Double {
        let tau = Double(steps) / 5, decay = exp(-Double(step) / tau)
        let noise = uniform(run, step, metric)
        switch metric {
        case 0: return finalAccuracy(run) * ((1 - decay) / (1 - exp(-Double(steps) / tau)))
        case 1: return 2.3 * decay + 0.05 + 0.02 * noise
        case 2: return min(1, finalAccuracy(run) + 0.03) * (1 - decay) + 0.01 * noise
        case 3: return 2.3 * decay + 0.1 + 0.02 * noise
        case 4: return 1 + noise
        default: return noise
        }
    }

    /// The epoch (1-based) of step `step`, and whether the step ends an epoch (or the run).
    func epoch(_ step: Int) -> (epoch: Int, isEnd: Bool) {
        ((step - 1) / stepsPerEpoch + 1, step % stepsPerEpoch == 0 || step == steps)
    }

    /// When run `run` started (one hour apart, from 2026-01-01) and when step `step` was measured (0.1 s a step).
    func started(_ run: Int) -> Double { 1_767_225_600 + Double(run) * 3600 }
    func wallTime(_ run: Int, _ step: Int) -> Double { started(run) + Double(step) * 0.1 }
}
