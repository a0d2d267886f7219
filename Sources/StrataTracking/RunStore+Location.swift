import Foundation

extension RunStore {
    /// The store's path when none is given: `runs/strata.sqlite`, relative to the working folder.
    public static let defaultPath = "runs/strata.sqlite"

    /// The store a command opens: `given` (its `--tracking-db` or `--db`), else `STRATA_TRACKING_DB` when set and
    /// not empty, else `defaultPath`.
    public static func path(given: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        given ?? environment["STRATA_TRACKING_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
    }
}
