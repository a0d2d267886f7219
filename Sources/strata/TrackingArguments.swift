import ArgumentParser
import Foundation
import StrataExperiments
import StrataTracking

/// The options of every training command about the tracking store: where it is, or not to record.
struct TrackingArguments: ParsableArguments {
    @Option(name: .customLong("tracking-db"),
            help: "The tracking store the run is recorded in (default: STRATA_TRACKING_DB, else runs/strata.sqlite).")
    var trackingDatabase: String?

    @Flag(name: .customLong("no-tracking"), help: "Do not record the run in the tracking store.")
    var noTracking = false

    /// The option names, which `--resume` accepts beside it.
    static let names: Set<String> = ["--tracking-db", "--no-tracking"]

    /// The store's path: `--tracking-db`, else `STRATA_TRACKING_DB`, else `runs/strata.sqlite`.
    var database: String { Self.database(given: trackingDatabase) }

    /// `given`, else `STRATA_TRACKING_DB`, else `runs/strata.sqlite`.
    static func database(given: String?) -> String {
        RunStore.path(given: given)
    }
}

/// A command that trains and records its runs in the tracking store unless told not to.
protocol TrackedCommand {
    /// Its tracking options.
    var tracking: TrackingArguments { get }
    /// The experiment its runs belong to.
    var trackingExperiment: String { get }
    /// Whether it continues an earlier run (`--resume`).
    var isResuming: Bool { get }
}

extension TrackedCommand {
    /// The configuration `RunTracking` records with, or nil with `--no-tracking`.
    var trackingConfiguration: TrackingConfiguration? {
        tracking.noTracking ? nil
            : TrackingConfiguration(database: tracking.database, experiment: trackingExperiment, resuming: isResuming)
    }
}

extension TrainCommand: TrackedCommand {
    var trackingExperiment: String { "train" }
    var isResuming: Bool { resume != nil }
}

extension SweepCommand: TrackedCommand {
    var trackingExperiment: String {
        "sweep " + (out.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "sweep-\((try? training.sweptOption())??.name ?? "")")
    }
    var isResuming: Bool { false }
}

extension RankCommand: TrackedCommand {
    var trackingExperiment: String { "rank" }
    var isResuming: Bool { resume != nil }
}

extension ArgmaxCommand: TrackedCommand {
    var trackingExperiment: String { "argmax" }
    var isResuming: Bool { resume != nil }
}

extension RetrieveTrainCommand: TrackedCommand {
    var trackingExperiment: String { "retrieve train" }
    var isResuming: Bool { resume != nil }
}
