import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT (Ctrl-C) and SIGTERM into a clean stop of a running `TrainingLoop`: the loop finishes
/// the step under way, saves a checkpoint there and throws `TrainingInterrupted`, so that `--resume`
/// continues exactly. Outside a loop (loading data, testing) and at a second signal the process ends
/// at once, as it would without the handlers.
///
/// ```swift
/// TrainingSignals.install()        // once, by a command that trains
/// try loop.run()                   // throws TrainingInterrupted after Ctrl-C
/// ```
public enum TrainingSignals {
    /// The signal received while a loop was running and not yet acted on (0: none).
    private static let pendingSignal = Atomic<Int32>(0)
    /// The number of loops running (the handlers stop at the next step only while one is).
    private static let runningLoops = Atomic<Int>(0)
    /// The dispatch sources, kept alive once installed.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    private static let installLock = Mutex(false)

    /// The signals handled.
    public static let handled: [Int32] = [SIGINT, SIGTERM]

    /// Installs the handlers (once; later calls do nothing).
    public static func install() {
        installLock.withLock { installed in
            guard !installed else { return }
            installed = true
            for number in handled {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { received(number) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Records `number` for the running loop, or ends the process when no loop runs or a signal is
    /// already pending (a second Ctrl-C).
    static func received(_ number: Int32) {
        let (exchanged, _) = pendingSignal.compareExchange(expected: 0, desired: number, ordering: .sequentiallyConsistent)
        guard runningLoops.load(ordering: .sequentiallyConsistent) > 0, exchanged else {
            signal(number, SIG_DFL)
            raise(number)
            return
        }
    }

    /// The signal waiting to stop the running loop, if any.
    public static var pending: Int32? {
        let value = pendingSignal.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// Asks running loops to stop as if `number` had arrived (for tests and embedding applications).
    public static func requestStop(_ number: Int32 = SIGINT) {
        _ = pendingSignal.compareExchange(expected: 0, desired: number, ordering: .sequentiallyConsistent)
    }

    /// Forgets a pending signal (after the loop has acted on it).
    static func clear() {
        pendingSignal.store(0, ordering: .sequentiallyConsistent)
    }

    /// Runs `body` as a loop that handles signals.
    static func whileRunning<Result>(_ body: () throws -> Result) rethrows -> Result {
        runningLoops.add(1, ordering: .sequentiallyConsistent)
        defer { runningLoops.subtract(1, ordering: .sequentiallyConsistent) }
        return try body()
    }
}

/// A training loop stopped by SIGINT or SIGTERM at a step boundary, after saving its checkpoint.
public struct TrainingInterrupted: Error, CustomStringConvertible, Equatable {
    /// The signal (SIGINT, SIGTERM).
    public let signal: Int32
    /// The epoch under way, 1-based.
    public let epoch: Int
    /// The steps of that epoch done.
    public let step: Int
    /// The checkpoint saved at the stop (nil when the run saves none, or its task cannot continue an epoch part way).
    public let checkpoint: String?
    /// The epochs the last checkpoint holds when `checkpoint` is nil.
    public let lastCheckpointEpochs: Int

    /// The exit status of a process ended by this interruption: 128 + the signal, as a shell reports it.
    public var exitStatus: Int32 { 128 + signal }

    /// An interruption at `epoch`, `step`.
    public init(signal: Int32, epoch: Int, step: Int, checkpoint: String?, lastCheckpointEpochs: Int = 0) {
        self.signal = signal
        self.epoch = epoch
        self.step = step
        self.checkpoint = checkpoint
        self.lastCheckpointEpochs = lastCheckpointEpochs
    }

    /// What stopped the run and what was kept.
    public var description: String {
        let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
        if let checkpoint {
            return "stopped by \(name) at epoch \(epoch), step \(step); saved \(checkpoint)"
        }
        return "stopped by \(name) at epoch \(epoch), step \(step); "
            + (lastCheckpointEpochs > 0 ? "the last checkpoint holds \(lastCheckpointEpochs) epochs" : "no checkpoint was saved")
    }
}
