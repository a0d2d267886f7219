import Foundation

/// How idle worker threads of oneDNN's OpenMP runtime (GNU libgomp) and of OpenBLAS wait for work.
///
/// Both spin by default, which is good on an otherwise idle machine and ruinous on a shared one:
/// with another busy process on 2 cores, `strata-microbench` measured oneDNN's sgemm at 0.2 GFLOP/s
/// spinning against 140–260 GFLOP/s waiting passively. Both libraries read their setting from the
/// environment when they are loaded, before any Swift code runs, so a program applies it by
/// starting itself again once with the variables set: `try WaitPolicy.relaunchIfNeeded()`, first
/// thing in `main`. Variables the user set are kept.
///
/// `STRATA_WAIT_POLICY` chooses the mode: `passive` (the default: `OMP_WAIT_POLICY=PASSIVE`, threads
/// sleep at once), a number of spins (`GOMP_SPINCOUNT`: libgomp's threads poll that many times,
/// 25 ns each on an idle core here, before they sleep; `STRATA_WAIT_POLICY=1000` is about 25 µs), or
/// `spin` (no relaunch: the libraries' own defaults, libgomp 300,000 spins, about 7 ms). `spin` is for
/// a machine of one's own: there two-thread inference with `ThreadPolicy.parallelMultiplyAdds = 0` was
/// up to 1.8× faster at batch 1, on a shared one up to 40× slower (docs/performance.md). A user's own
/// `OMP_WAIT_POLICY` or `GOMP_SPINCOUNT` wins over the spin count.
public enum WaitPolicy {
    /// How idle OpenMP threads wait.
    public enum Mode: Equatable, Sendable {
        /// Sleep at once (`OMP_WAIT_POLICY=PASSIVE`, `GOMP_SPINCOUNT=0`).
        case passive
        /// Poll `spins` times, then sleep (`GOMP_SPINCOUNT`).
        case bounded(spins: Int)
        /// The libraries' own defaults: no variables set, no relaunch.
        case spin
    }

    /// The mode when `STRATA_WAIT_POLICY` is unset.
    public static let defaultMode = Mode.passive
    /// The environment variable that chooses the mode.
    public static let modeVariable = "STRATA_WAIT_POLICY"
    /// Set in the relaunched process, so it does not relaunch again.
    public static let marker = "STRATA_WAIT_POLICY_APPLIED"

    /// The mode `environment` asks for through `STRATA_WAIT_POLICY`; throws on a value that is none of
    /// `passive`, `spin` or a whole number of spins.
    public static func mode(in environment: [String: String]) throws -> Mode {
        guard let text = environment[modeVariable] else { return defaultMode }
        switch text.lowercased() {
        case "passive": return .passive
        case "spin": return .spin
        default:
            guard let spins = Int(text), spins >= 0 else { throw WaitPolicyError(value: text) }
            return spins == 0 ? .passive : .bounded(spins: spins)
        }
    }

    /// The variables `mode` needs (`OMP_WAIT_POLICY`, `GOMP_SPINCOUNT`, `OPENBLAS_THREAD_TIMEOUT`).
    public static func variables(for mode: Mode) -> [String: String] {
        switch mode {
        case .passive: return ["OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "4"]
        case .bounded(let spins):
            return ["OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": String(spins), "OPENBLAS_THREAD_TIMEOUT": "4"]
        case .spin: return [:]
        }
    }

    /// The variables a relaunch adds to `environment`: those of its mode that the user did not set
    /// (no `GOMP_SPINCOUNT` when the user set `OMP_WAIT_POLICY`, which it would override); empty once
    /// relaunched (`marker`).
    public static func missingVariables(in environment: [String: String]) throws -> [String: String] {
        guard environment[marker] == nil else { return [:] }
        var wanted = variables(for: try mode(in: environment))
        if environment["OMP_WAIT_POLICY"] != nil { wanted["GOMP_SPINCOUNT"] = nil }
        return wanted.filter { environment[$0.key] == nil }
    }

    /// Starts this program again with the chosen wait policy when it is not yet in effect; returns
    /// normally when it is (or when relaunching is impossible, or `STRATA_WAIT_POLICY=spin`). Throws
    /// `WaitPolicyError` when `STRATA_WAIT_POLICY` has a value it does not know.
    public static func relaunchIfNeeded() throws {
        let environment = ProcessInfo.processInfo.environment
        let missing = try missingVariables(in: environment)
        guard environment[marker] == nil else { return }
        setenv(marker, "1", 1)
        guard !missing.isEmpty else { return }
        for (name, value) in missing { setenv(name, value, 1) }
        let arguments = CommandLine.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", &cArguments)
        // execv returns only on failure: carry on with the libraries' default policy.
        for name in missing.keys { unsetenv(name) }
    }
}
