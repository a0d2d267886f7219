import Dispatch
import Foundation
import StrataCore
import StrataDistributed
import StrataNN

/// The one training engine every experiment runs on (`Model.fit`, `strata train`, `rank`, `argmax`,
/// `retrieve train`): epochs of steps, each `task.loss` → `backward()` → gradient hooks → optimizer
/// step, with callbacks, the history, a guard against non-finite losses, checkpoints and resume.
///
/// ```swift
/// let loop = TrainingLoop(model: model, optimizer: Adam(), task: task, epochs: 10, stepsPerEpoch: 100)
/// loop.callbacks = [ProgressBar()]
/// loop.checkpointing = CheckpointSchedule(url: folder.appendingPathComponent("checkpoint.safetensors"))
/// if let saved { try loop.resume(from: saved) }
/// let history = try loop.run()
/// ```
///
/// A step's order is fixed: `onBatchBegin`, the task's loss, the non-finite check (before anything
/// changes), `backward()`, each gradient hook in order (clipping, say), `optimizer.step`, zeroed
/// gradients, the weight average's update (EMA), the task's `endStep`, `onBatchEnd`. With a `communicator` of several processes, backward
/// hands each gradient to the bucketed average across processes as it completes, and the non-finite
/// check reads the processes' mean loss after that average, still before the update
/// (`TrainingLoop+DataParallel.swift`). An epoch ends with the weight average's update (SWA), the task's
/// `endEpoch` (run with the averaged weights once there is an average, so validation measures them), the
/// history, `onEpochEnd`, then the checkpoint when one is due, so callbacks' saved state includes the epoch.
public final class TrainingLoop {
    /// The model: its dropout layers are reseeded each epoch and callbacks receive it.
    public let model: Model
    /// The parameters the optimizer updates (the model's, plus any a loss owns).
    public let parameters: [Parameter]
    /// The non-trainable state saved with checkpoints (batch-norm statistics).
    public let buffers: [Parameter]
    /// The optimizer.
    public let optimizer: any Optimizer
    /// The experiment's steps and measures.
    public let task: any TrainingTask
    /// The epochs of the whole run (the last is `epochs − 1`, 0-based).
    public let epochs: Int
    /// The steps in each epoch.
    public let stepsPerEpoch: Int
    /// The number of training examples, for callbacks that show it.
    public let sampleCount: Int
    /// The callbacks, called in order at every event.
    public var callbacks: [any Callback] = []
    /// Functions run on the parameters after `backward()` and before the optimizer step, in order, to
    /// transform gradients (clip them, average them across processes).
    public var gradientHooks: [([Parameter]) throws -> Void] = []
    /// Train on when a loss is NaN or infinite (off by default: the run stops with `NonFiniteLossError`).
    public var allowsNonFiniteLoss = false
    /// Where and how often to save checkpoints (nil: never).
    public var checkpointing: CheckpointSchedule?
    /// An average of the weights (EMA or SWA) kept during training, validated with and saved in checkpoints
    /// beside the trained weights (nil: none). Copy it into the model after `run` to keep it.
    public var weightAveraging: WeightAveraging?

    /// The history of every finished epoch, those before a resumption included.
    public internal(set) var history = History()
    /// The number of epochs finished.
    public internal(set) var epochsCompleted = 0
    /// The number of optimizer steps taken since the run began.
    public internal(set) var globalStep = 0
    /// Seconds spent training, those before a resumption included.
    public internal(set) var trainingSeconds = 0.0
    /// Processor seconds of the whole process (every thread) spent training, those before a resumption
    /// included: the time a shared machine's other work does not inflate.
    public internal(set) var trainingProcessorSeconds = 0.0
    /// The best value of the checkpoint schedule's monitored quantity so far.
    public internal(set) var bestValue: Double?
    /// The number of epochs held by the last checkpoint written or resumed from (0: none).
    public internal(set) var checkpointedEpochs = 0
    /// Where a checkpoint taken inside an epoch left it, until `run` continues that epoch.
    var partialEpoch: PartialEpoch?
    /// The processes training together (`.local`: this one alone). Only rank 0 saves checkpoints; set
    /// callbacks that write files (progress bar, CSV log) on rank 0 only.
    public var communicator: Communicator = .local
    /// The size of the gradient buckets reduced together in data-parallel training, in bytes.
    public var bucketBytes = GradientBuckets.defaultBucketBytes
    /// The gradient buckets, made at the first data-parallel step.
    var buckets: GradientBuckets?
    /// Each parameter tensor's index, for the gradients backward completes.
    var indexOfParameter: [ObjectIdentifier: Int]?
    /// The loss, the stop request and the step's weight, reduced with the gradients.
    let control = UnsafeMutableBufferPointer<Float>.allocate(capacity: 3)

    /// A loop that trains `parameters` (the model's by default) with `optimizer` on `task`'s steps.
    public init(model: Model, parameters: [Parameter]? = nil, buffers: [Parameter]? = nil, optimizer: any Optimizer,
                task: any TrainingTask, epochs: Int, stepsPerEpoch: Int, sampleCount: Int = 0) {
        self.model = model
        self.parameters = parameters ?? model.parameters
        self.buffers = buffers ?? model.buffers
        self.optimizer = optimizer
        self.task = task
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.sampleCount = sampleCount
    }

    deinit { control.deallocate() }

    /// Starts after `epochs` finished epochs without a checkpoint (Keras's `initial_epoch`): the step
    /// counter continues from there; the history starts empty.
    public func start(atEpoch epoch: Int) throws {
        guard epoch >= 0 else { throw TrainingError("the initial epoch must not be negative, got \(epoch)") }
        epochsCompleted = epoch
        globalStep = epoch * stepsPerEpoch
    }

    /// Runs epochs `epochsCompleted..<epochs` (or stops after epoch `stopAfter` when given, as an
    /// interruption would, saving a checkpoint there) and returns the whole history.
    @discardableResult
    public func run(stopAfter: Int? = nil) throws -> History {
        try TrainingSignals.whileRunning { try runEpochs(stopAfter: stopAfter) }
    }

    private func runEpochs(stopAfter: Int?) throws -> History {
        guard epochs >= 0, stepsPerEpoch >= 1 else {
            throw TrainingError("a run needs epochs ≥ 0 and at least one step per epoch, got \(epochs) epochs of "
                                + "\(stepsPerEpoch) steps")
        }
        var state = TrainingState(epochs: epochs, stepsPerEpoch: stepsPerEpoch, sampleCount: sampleCount)
        state.globalStep = globalStep
        state.epoch = epochsCompleted
        let lastEpoch = Swift.min(epochs, stopAfter ?? epochs)
        let start = DispatchTime.now()
        let priorSeconds = trainingSeconds
        let priorProcessorSeconds = trainingProcessorSeconds, processorStart = Self.processorSeconds()
        var lastSave = start
        var lastLogs = Logs()
        model.stopTraining = false
        try broadcastState()
        callbacks.forEach { $0.onTrainBegin(model: model, state: state) }
        for epoch in epochsCompleted..<Swift.max(epochsCompleted, lastEpoch) {
            state.epoch = epoch
            state.batch = 0
            model.reseedDropout(epoch: epoch)
            try task.beginEpoch(state: state)
            var firstStep = 0
            if let partial = partialEpoch {
                partialEpoch = nil
                firstStep = partial.step
                state.batch = firstStep
                try partial.restoreDropout(in: model)
                try task.resumeEpoch(from: partial.taskState, state: state)
            }
            callbacks.forEach { $0.onEpochBegin(model: model, state: state) }
            for step in firstStep..<stepsPerEpoch {
                state.batch = step
                let stop = try self.step(state: &state)
                if stop || (!isDataParallel && TrainingSignals.pending != nil) {
                    try interrupt(by: TrainingSignals.pending ?? SIGTERM, state: state, lastLogs: lastLogs)
                }
                if model.stopTraining { break }
            }
            weightAveraging?.epochEnded(epoch: epoch)
            let epochLogs = try weightAveraging.map { try $0.withAveragedWeights { try task.endEpoch(state: state) } }
                ?? task.endEpoch(state: state)
            let logs = try averageLogs(epochLogs)
            history.record(epoch: epoch + 1, logs: logs.entries)
            epochsCompleted = epoch + 1
            trainingSeconds = priorSeconds + Self.seconds(since: start)
            trainingProcessorSeconds = priorProcessorSeconds + Self.processorSeconds() - processorStart
            lastLogs = logs
            callbacks.forEach { $0.onEpochEnd(model: model, state: state, logs: logs) }
            if let schedule = checkpointing {
                let value = schedule.monitor.flatMap { logs[$0] }
                if let value, bestValue.map({ schedule.mode.improves(value, on: $0, minDelta: 0) }) ?? true {
                    bestValue = value
                }
                if epoch + 1 == lastEpoch || model.stopTraining || Self.seconds(since: lastSave) >= schedule.minimumInterval {
                    try saveCheckpoint(schedule)
                    lastSave = DispatchTime.now()
                }
            }
            if model.stopTraining { break }
        }
        trainingSeconds = priorSeconds + Self.seconds(since: start)
        trainingProcessorSeconds = priorProcessorSeconds + Self.processorSeconds() - processorStart
        callbacks.forEach { $0.onTrainEnd(model: model, state: state, logs: lastLogs) }
        return history
    }

    /// One optimizer step: the loss, the guard, backward, the gradient average across ranks, the hooks,
    /// the update. Returns whether a rank asked to stop (data-parallel training only).
    private func step(state: inout TrainingState) throws -> Bool {
        callbacks.forEach { $0.onBatchBegin(model: model, state: state) }
        let loss = try task.loss(state: state)
        let value = loss.scalar
        func guardFinite(_ value: Float) throws {
            guard value.isFinite || allowsNonFiniteLoss else {
                throw NonFiniteLossError(value: value, epoch: state.epoch + 1, step: state.batch + 1,
                                         checkpoint: checkpointing?.url.path, checkpointEpochs: checkpointedEpochs)
            }
        }
        var stop = false
        if isDataParallel {
            let average = try backwardAveragingGradients(loss, localLoss: value, stopRequested: TrainingSignals.pending != nil)
            try guardFinite(average.loss)
            stop = average.stop
        } else {
            try guardFinite(value)
            try loss.backward()
        }
        for hook in gradientHooks { try hook(parameters) }
        optimizer.step(parameters)
        parameters.zeroGradients()
        weightAveraging?.stepEnded()
        globalStep += 1
        state.globalStep = globalStep
        let logs = task.endStep(loss: value, state: state)
        callbacks.forEach { $0.onBatchEnd(model: model, state: state, logs: logs) }
        return stop
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// The processor time of the whole process so far (every thread), in seconds.
    static func processorSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
