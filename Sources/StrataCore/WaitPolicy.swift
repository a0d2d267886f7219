import Foundation

/// How idle worker threads of oneDNN's OpenMP runtime and of OpenBLAS wait for work.
///
/// Both spin by default, which is good on an otherwise idle machine and ruinous on a shared one:
/// with another busy process on 2 cores, `strata-microbench` measured oneDNN's sgemm at 0.2 GFLOP/s
/// spinning against 140–260 GFLOP/s waiting passively. Both libraries read their setting from the
/// environment when they are loaded, before any Swift code runs, so a program applies it by
/// starting itself again once with the variables set: `WaitPolicy.relaunchIfNeeded()`, first thing
/// in `main`. Variables the user set are kept.
public enum WaitPolicy {
    /// The variables set, unless the environment already has them.
    public static let variables = ["OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "4"]
    /// Set in the relaunched process, so it does not relaunch again.
    public static let marker = "STRATA_WAIT_POLICY_APPLIED"

    /// Starts this program again with the passive wait policy when it is not yet in effect; returns
    /// normally when it is (or when relaunching is impossible, or `STRATA_WAIT_POLICY=spin`).
    public static func relaunchIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard environment[marker] == nil, environment["STRATA_WAIT_POLICY"]?.lowercased() != "spin" else { return }
        let missing = variables.filter { environment[$0.key] == nil }
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
