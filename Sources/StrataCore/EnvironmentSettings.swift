import Foundation

/// The environment variables that tune Strata's kernels, and the values each accepts.
///
/// The library reads them once, where they are used, and falls back to its default on a value it
/// cannot read; `check` is what turns such a value into an error instead, so a typo such as
/// `STRATA_GEMM=mkl` or `STRATA_THREADS=two` stops a program at launch with the variable named rather
/// than running with a setting the user did not ask for. `strata` and the benchmarks call it first.
///
/// ```swift
/// try EnvironmentSettings.check()   // throws EnvironmentSettingError naming the variable
/// ```
public enum EnvironmentSettings {
    /// A variable, what it accepts (for the message), and whether a value is one of those.
    public struct Setting: Sendable {
        /// The variable's name, e.g. `STRATA_GEMM`.
        public let name: String
        /// The values it accepts, in words (e.g. "onednn or openblas").
        public let accepted: String
        /// Whether `value` is accepted.
        public let accepts: @Sendable (String) -> Bool
    }

    /// Every tuning variable but `STRATA_WAIT_POLICY`, which `WaitPolicy.mode(in:)` checks.
    public static let settings: [Setting] = [
        Setting(name: "STRATA_THREADS", accepted: "a whole number of threads, at least 1") { (Int($0) ?? 0) >= 1 },
        Setting(name: "STRATA_GEMM", accepted: "onednn or openblas") { GemmLibrary(rawValue: $0.lowercased()) != nil },
        Setting(name: "STRATA_BLOCKED_TRAINING", accepted: "1 (training segments, the default) or 0 (layer by layer)") {
            $0 == "0" || $0 == "1"
        },
        Setting(name: "STRATA_INFERENCE_ACTIVATION_BYTES",
                accepted: "a whole number of bytes, 0 for whole batches") { (Int($0) ?? -1) >= 0 },
        Setting(name: "STRATA_INFERENCE_SHARDS", accepted: "1 (split batches over passive threads, the default) or 0") {
            $0 == "0" || $0 == "1"
        },
        Setting(name: "STRATA_BF16_NORMALIZATION", accepted: "bf16 (the default) or f32") {
            ["bf16", "f32"].contains($0.lowercased())
        },
        Setting(name: "STRATA_POOL_MB", accepted: "a whole number of MiB, 0 to turn the buffer pool off") { (Int($0) ?? -1) >= 0 },
        Setting(name: "STRATA_POOL_TRIM_PERIOD", accepted: "a whole number of requests, 0 to never trim") {
            (Int($0) ?? -1) >= 0
        },
    ]

    /// Throws for the first variable of `settings` (then `STRATA_WAIT_POLICY`) that `environment` sets to
    /// a value it does not accept.
    public static func check(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        for setting in settings {
            if let value = environment[setting.name], !setting.accepts(value) {
                throw EnvironmentSettingError(name: setting.name, value: value, accepted: setting.accepted)
            }
        }
        _ = try WaitPolicy.mode(in: environment)
    }
}
