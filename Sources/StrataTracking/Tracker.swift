import Dispatch
import Foundation
import StrataTrain

/// A callback that records a training run into a `RunStore`: the logs of every epoch (and every
/// `stepInterval`-th batch's running means), written in one transaction per epoch and every
/// `flushInterval` steps; a heartbeat every `heartbeatInterval` seconds while the run is open, so that a
/// process that dies shows as crashed; the status and the run folder's files when it ends.
///
/// ```swift
/// let store = try RunStore(path: "runs/strata.sqlite")
/// let tracker = try Tracker(store: store, run: NewRun(name: "mlp-lr0.01", params: ["learning_rate": "0.01"]))
/// try model.fit(x: x, y: y, epochs: 5, callbacks: [tracker])   // marked finished when training ends
/// ```
///
/// A write that fails (the disk full, the store locked for longer than its busy timeout) does not stop
/// training: the points stay buffered for the next write, and `writeError` holds the fault.
public final class Tracker: Callback {
    /// The store written to.
    public let store: RunStore
    /// The run's number in the store.
    public let runID: Int64
    /// The run folder whose files are recorded as artifacts at the end, if any.
    public let folder: URL?
    /// Record each batch's running means every this many steps (0: only epoch ends).
    public var stepInterval: Int
    /// Write the buffered points every this many steps (and at every epoch end).
    public var flushInterval: Int
    /// Mark the run finished at `onTrainEnd`; an experiment that tests after training turns this off and
    /// calls `finish` itself. (A run that stopped part way is marked killed there either way.)
    public var finishesOnTrainEnd: Bool
    /// The first fault of a write, if any.
    public private(set) var writeError: (any Error)?
    /// Whether `finish` has been called.
    public private(set) var isFinished = false

    private var buffer: [MetricPoint] = []
    private var lastStep = 0
    private var heartbeat: (any DispatchSourceTimer)?

    /// Starts recording `run` into `store` (with `continuesFolderRun`, continues the unfinished run of the
    /// same folder, after a resume), with a heartbeat every `heartbeatInterval` seconds.
    public init(store: RunStore, run: NewRun, continuesFolderRun: Bool = false, stepInterval: Int = 1,
                flushInterval: Int = 100, heartbeatInterval: Double = 30, finishesOnTrainEnd: Bool = true) throws {
        self.store = store
        self.folder = run.folder.map { URL(fileURLWithPath: $0) }
        self.stepInterval = stepInterval
        self.flushInterval = flushInterval
        self.finishesOnTrainEnd = finishesOnTrainEnd
        runID = try store.beginRun(run, continuesFolderRun: continuesFolderRun)
        lastStep = try store.lastStep(of: runID)
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        let id = runID
        timer.schedule(deadline: .now() + heartbeatInterval, repeating: heartbeatInterval)
        // Weakly: a cancelled timer lets go of its handler later, on its queue, and a strong reference there could
        // outlive the command, so the store would never close and fold its write-ahead log back (seen under load).
        timer.setEventHandler { [weak store] in try? store?.beat(runID: id) }
        timer.resume()
        heartbeat = timer
    }

    deinit { heartbeat?.cancel() }

    /// Buffers one value (written at the next flush); `step` defaults to the last step seen.
    public func log(_ name: String, _ value: Double, step: Int? = nil, epoch: Int? = nil, isSummary: Bool = true) {
        guard value.isFinite else { return }
        buffer.append(MetricPoint(name: name, step: step ?? lastStep, epoch: epoch, value: value, isSummary: isSummary))
    }

    /// Writes the buffered points in one transaction and beats the heartbeat; on a fault the points
    /// stay buffered and `writeError` holds it.
    public func flush() {
        do {
            try store.append(buffer, runID: runID)
            buffer.removeAll(keepingCapacity: true)
        } catch {
            if writeError == nil { writeError = error }
        }
    }

    /// Writes what is buffered, the `results` (final numbers, at the last step), the run folder's files,
    /// and the status; later calls do nothing.
    public func finish(status: RunStatus = .finished, results: [String: Double] = [:]) {
        guard !isFinished else { return }
        isFinished = true
        heartbeat?.cancel()
        heartbeat = nil
        for (name, value) in results.sorted(by: { $0.key < $1.key }) { log(name, value, step: lastStep) }
        flush()
        do {
            if let folder, FileManager.default.fileExists(atPath: folder.path) {
                try store.setArtifacts(try RunFolderFiles.artifacts(in: folder), runID: runID)
            }
            try store.finishRun(runID, status: status)
        } catch {
            if writeError == nil { writeError = error }
        }
    }

    /// Records the epoch's logs at its last step and writes them.
    public func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        lastStep = state.globalStep
        for (name, value) in logs.entries { log(name, value, step: state.globalStep, epoch: state.epoch + 1) }
        flush()
    }

    /// Records the batch's running means every `stepInterval` steps; writes every `flushInterval` steps.
    public func onBatchEnd(model: Model, state: TrainingState, logs: Logs) {
        lastStep = state.globalStep
        if stepInterval > 0, state.globalStep % stepInterval == 0 {
            for (name, value) in logs.entries {
                log(name, value, step: state.globalStep, epoch: state.epoch + 1, isSummary: false)
            }
        }
        if flushInterval > 0, state.globalStep % flushInterval == 0 { flush() }
    }

    /// Writes what is buffered; marks the run killed when it stopped part way (a signal,
    /// `run(stopAfter:)`) rather than after its last step or by a callback's choice, else finished when
    /// `finishesOnTrainEnd`.
    public func onTrainEnd(model: Model, state: TrainingState, logs: Logs) {
        flush()
        let complete = model.stopTraining
            || (state.epoch + 1 >= state.epochs && state.batch + 1 >= state.stepsPerEpoch)
        if !complete {
            finish(status: .killed)
        } else if finishesOnTrainEnd {
            finish(status: .finished)
        }
    }
}

/// What a new run records when it starts.
public struct NewRun: Sendable, Equatable {
    /// The run's name (its folder's name, say).
    public var name: String
    /// The experiment it belongs to (created when new).
    public var experiment: String
    /// The command line that started it.
    public var command: String
    /// Its parameters, by name.
    public var params: [String: String]
    /// Its run folder, if any (an unfinished run of the same folder is continued, after a resume).
    public var folder: String?
    /// The source revision, if known.
    public var revision: String?
    /// The number of processes training it together.
    public var worldSize: Int

    /// A run description; `command` defaults to this process's command line.
    public init(name: String, experiment: String = "default", command: String = CommandLine.arguments.joined(separator: " "),
                params: [String: String] = [:], folder: String? = nil, revision: String? = nil, worldSize: Int = 1) {
        self.name = name
        self.experiment = experiment
        self.command = command
        self.params = params
        self.folder = folder
        self.revision = revision
        self.worldSize = worldSize
    }
}
