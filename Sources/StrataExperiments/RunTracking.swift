import Foundation
import StrataTracking
import StrataTrain

/// Where and how the training commands record their runs in the tracking store.
public struct TrackingConfiguration: Sendable, Equatable {
    /// The store's path (`runs/strata.sqlite` by default).
    public var database: String
    /// The experiment the runs belong to (the command's name, or the sweep's folder name).
    public var experiment: String
    /// The command line recorded with each run.
    public var commandLine: String
    /// Whether the runs continue earlier ones (`--resume`): the unfinished run of the same folder goes on.
    public var resuming: Bool
    /// The number of processes training each run together (only one of them, rank 0, records).
    public var worldSize: Int

    /// The store's path by default.
    public static let defaultDatabase = RunStore.defaultPath

    /// A configuration; `commandLine` defaults to this process's.
    public init(database: String = defaultDatabase, experiment: String,
                commandLine: String = CommandLine.arguments.joined(separator: " "), resuming: Bool = false, worldSize: Int = 1) {
        self.database = database
        self.experiment = experiment
        self.commandLine = commandLine
        self.resuming = resuming
        self.worldSize = worldSize
    }
}

/// The link between the experiments and the tracking store: a command turns recording on once
/// (`RunTracking.configuration`), then each experiment attaches a `Tracker` to its loop for its run
/// folder and finishes it after writing its results. Off (nil) unless a command turns it on, so the
/// Swift API never writes a store it was not asked to.
///
/// In an experiment:
/// ```swift
/// RunTracking.attach(to: loop, folder: folder)       // nothing when tracking is off
/// ...                                                // train, test, write metrics.json
/// RunTracking.finish(folder: folder)
/// ```
/// A run stopped by a signal is marked killed by its tracker; one that throws is marked failed by
/// `endOpenRuns(after:)`, which the command line calls with the error.
public enum RunTracking {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: TrackingConfiguration?
    nonisolated(unsafe) private static var open: [Tracker] = []
    nonisolated(unsafe) private static var stores: [String: RunStore] = [:]

    /// The configuration runs are recorded with; nil (the default) records nothing.
    public static var configuration: TrackingConfiguration? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    /// Adds a `Tracker` for the run in `folder` to `loop`'s callbacks, its parameters read from the
    /// folder's `options.json`; nil (and nothing added) when tracking is off or there is no folder. A
    /// store that cannot be opened or written does not stop training: the run goes on unrecorded, with a
    /// warning on standard error naming the store.
    @discardableResult
    public static func attach(to loop: TrainingLoop, folder: RunFolder?) -> Tracker? {
        guard let configuration, let folder else { return nil }
        let params = (try? RunFolderFiles.params(optionsAt: folder.options)) ?? [:]
        let path = folder.url.absoluteURL.standardizedFileURL.path
        let run = NewRun(name: folder.url.lastPathComponent, experiment: configuration.experiment,
                         command: configuration.commandLine, params: params, folder: path, revision: sourceRevision,
                         worldSize: configuration.worldSize)
        let tracker: Tracker
        do {
            tracker = try Tracker(store: try store(at: configuration.database), run: run,
                                  continuesFolderRun: configuration.resuming, finishesOnTrainEnd: false)
        } catch {
            FileHandle.standardError.write(Data(("strata: warning: this run is not recorded: \(error); --no-tracking "
                                                 + "trains without recording, --tracking-db chooses another store\n").utf8))
            return nil
        }
        loop.callbacks.append(tracker)
        lock.withLock { open.append(tracker) }
        return tracker
    }

    /// Marks the open run of `folder` finished with the final numbers of its `metrics.json` and records
    /// the folder's files (nothing when tracking is off or no run of the folder is open).
    public static func finish(folder: RunFolder?) {
        guard let folder else { return }
        let path = folder.url.absoluteURL.standardizedFileURL.path
        let trackers = lock.withLock { () -> [Tracker] in
            let matching = open.filter { $0.folder?.path == path }
            open.removeAll { $0.folder?.path == path }
            return matching
        }
        let results = RunFolderFiles.results(metricsAt: folder.url.appendingPathComponent("metrics.json"))
        for tracker in trackers {
            tracker.finish(status: .finished, results: results)
            warnIfIncomplete(tracker)
        }
    }

    /// Says on standard error when a write to the store failed (training went on without it).
    private static func warnIfIncomplete(_ tracker: Tracker) {
        guard let error = tracker.writeError else { return }
        FileHandle.standardError.write(Data("strata: warning: the tracking store \(tracker.store.path) missed part of run \(tracker.runID): \(error)\n".utf8))
    }

    /// Marks every run still open failed, or killed when `error` is a `TrainingInterrupted`.
    public static func endOpenRuns(after error: any Error) {
        let trackers = lock.withLock { () -> [Tracker] in
            defer { open.removeAll() }
            return open
        }
        for tracker in trackers {
            tracker.finish(status: error is TrainingInterrupted ? .killed : .failed)
            warnIfIncomplete(tracker)
        }
    }

    /// Lets go of the stores this process opened, so each closes and folds its write-ahead log back into
    /// the database file (call when the command is done; a store opened later is opened afresh).
    public static func closeStores() {
        lock.withLock { stores.removeAll() }
    }

    /// One store per path for the whole process (a sweep's runs share it).
    private static func store(at path: String) throws -> RunStore {
        try lock.withLock {
            if let store = stores[path] { return store }
            let store = try RunStore(path: path)
            stores[path] = store
            return store
        }
    }

    /// `git rev-parse HEAD` in the working folder, or nil outside a git checkout or without git.
    public static let sourceRevision: String? = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }()
}
