import Foundation

/// Where a run stands in the store.
public enum RunStatus: String, Sendable, CaseIterable, Codable {
    /// Training (or testing) is under way, as long as its heartbeat is recent.
    case running
    /// It ended normally.
    case finished
    /// It stopped with an error.
    case failed
    /// It was stopped by a signal (Ctrl-C, SIGTERM) or stopped before its end.
    case killed
}

/// One run of the store, as `strata runs list` shows it.
public struct RunRecord: Sendable, Equatable {
    /// The run's number in the store.
    public var id: Int64
    /// The experiment it belongs to (the command, or the sweep).
    public var experiment: String
    /// Its name (the run folder's name).
    public var name: String
    /// The command line that started it.
    public var command: String
    /// The status written by the run.
    public var status: RunStatus
    /// When it started, in seconds since 1970.
    public var started: Double
    /// When it ended, in seconds since 1970 (nil while running).
    public var ended: Double?
    /// The last sign of life of a running run, in seconds since 1970.
    public var heartbeat: Double
    /// Its run folder, if it has one.
    public var folder: String?
    /// The source revision (`git rev-parse HEAD` where training ran), if known.
    public var revision: String?
    /// The number of processes that trained it together.
    public var worldSize: Int
    /// Whether it is hidden from `list` unless asked for.
    public var archived: Bool

    /// The status to show: `crashed` for a running run whose heartbeat is older than `staleAfter` seconds at `now`.
    public func displayedStatus(now: Double = Date().timeIntervalSince1970,
                                staleAfter: Double = RunStore.staleHeartbeatSeconds) -> String {
        status == .running && heartbeat < now - staleAfter ? "crashed" : status.rawValue
    }
}

/// One value of one metric at one step of a run.
public struct MetricPoint: Sendable, Equatable {
    /// The metric (`loss`, `val_accuracy`).
    public var name: String
    /// The optimizer step (steps since the run began; epochs for imported runs, which have no steps).
    public var step: Int
    /// The epoch, 1-based, when known.
    public var epoch: Int?
    /// When it was measured, in seconds since 1970.
    public var wallTime: Double
    /// The value.
    public var value: Double
    /// Whether it is an epoch's (or the run's) final value, the kind the best value is chosen among;
    /// per-batch running means are not.
    public var isSummary: Bool

    /// A point.
    public init(name: String, step: Int, epoch: Int? = nil, wallTime: Double = Date().timeIntervalSince1970,
                value: Double, isSummary: Bool = true) {
        self.name = name
        self.step = step
        self.epoch = epoch
        self.wallTime = wallTime
        self.value = value
        self.isSummary = isSummary
    }

    /// Whether larger values of the metric `name` are better (accuracies, rank-1, AUROC, NDCG, τ, ρ, F1).
    public static func largerIsBetter(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["acc", "rank1", "auroc", "auc", "ndcg", "tau", "rho", "precision", "recall", "f1"].contains { lower.contains($0) }
    }
}

/// The latest and the best value of one metric of a run.
public struct MetricSummary: Sendable, Equatable {
    /// The metric.
    public var name: String
    /// The value at the highest step.
    public var latest: Double
    /// That step.
    public var latestStep: Int
    /// The best epoch-end (or final) value: the largest for accuracies and the like, else the smallest;
    /// nil when the metric has only per-batch values.
    public var best: Double?
    /// The step of the best value.
    public var bestStep: Int?
    /// The number of points recorded.
    public var count: Int
}

/// A file of a run's folder, recorded when the run ends.
public struct Artifact: Sendable, Equatable {
    /// The path inside the run folder.
    public var path: String
    /// What it is, from its extension: `image`, `report`, `weights`, `table`, `data` or `text`.
    public var kind: String
    /// Its size in bytes.
    public var bytes: Int64
    /// Its SHA-256, in hex.
    public var sha256: String

    /// A file record.
    public init(path: String, kind: String, bytes: Int64, sha256: String) {
        self.path = path
        self.kind = kind
        self.bytes = bytes
        self.sha256 = sha256
    }

    /// The kind of a file named `path`.
    public static func kind(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "png", "svg", "jpg", "jpeg", "pdf": return "image"
        case "html": return "report"
        case "safetensors": return "weights"
        case "csv": return "table"
        case "json": return "data"
        default: return "text"
        }
    }
}

/// Everything the store has on one run: the record, its parameters, its metrics' summaries and its files.
public struct RunDetails: Sendable, Equatable {
    /// The run.
    public var run: RunRecord
    /// Its parameters, by name.
    public var params: [String: String]
    /// Its metrics' latest and best values, by name.
    public var metrics: [String: MetricSummary]
    /// The files of its folder, recorded when it ended.
    public var artifacts: [Artifact]
}

/// A fault of the store a user can cause (a file that is not a store, a run that does not exist).
public struct TrackingError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, naming the file or the run.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
