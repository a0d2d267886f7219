import Foundation

/// Prints training progress in Keras's format:
///
/// ```
/// Epoch 3/20
/// 422/422 [==============================] - 13s 29ms/step - loss: 0.1151 - accuracy: 0.9644 - val_loss: 0.0825 - val_accuracy: 0.9760
/// ```
///
/// On a terminal the line is redrawn in place as batches finish (with an ETA); otherwise only the
/// finished line of each epoch is written, so logs stay one line per epoch.
public final class ProgressBar: Callback {
    private let write: (String) -> Void
    private let isTerminal: Bool
    private let width = 30
    private var epochStart = DispatchTime.now()
    private var lastDraw = DispatchTime(uptimeNanoseconds: 0)
    private var lastLength = 0

    /// A progress bar on standard output; `isTerminal` defaults to whether standard output is a terminal.
    public init(isTerminal: Bool? = nil, write: @escaping (String) -> Void = ProgressBar.writeToStandardOutput) {
        self.isTerminal = isTerminal ?? (isatty(STDOUT_FILENO) != 0)
        self.write = write
    }

    /// Writes text to standard output without a newline and flushes it, through the same buffered
    /// stream as `print`, so progress lines and printed lines keep their order in files and pipes.
    public static func writeToStandardOutput(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }

    /// Prints `Epoch i/n`.
    public func onEpochBegin(model: Model, state: TrainingState) {
        write("Epoch \(state.epoch + 1)/\(state.epochs)\n")
        epochStart = DispatchTime.now()
        lastDraw = DispatchTime(uptimeNanoseconds: 0)
        lastLength = 0
    }

    /// Redraws the line on a terminal, at most 20 times a second.
    public func onBatchEnd(model: Model, state: TrainingState, logs: Logs) {
        guard isTerminal, state.batch + 1 < state.stepsPerEpoch else { return }
        let now = DispatchTime.now()
        guard now.uptimeNanoseconds - lastDraw.uptimeNanoseconds > 50_000_000 else { return }
        lastDraw = now
        let elapsed = seconds(since: epochStart)
        let done = state.batch + 1
        let eta = elapsed / Double(done) * Double(state.stepsPerEpoch - done)
        let line = progressLine(done: done, total: state.stepsPerEpoch) + " - ETA: \(ProgressBar.duration(eta))"
            + ProgressBar.format(logs)
        let padding = String(repeating: " ", count: Swift.max(0, lastLength - line.count))
        lastLength = line.count
        write("\r" + line + padding)
    }

    /// Writes the finished line with the epoch's time, time per step and all logs.
    public func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        let elapsed = seconds(since: epochStart)
        let perStep = elapsed / Double(Swift.max(state.stepsPerEpoch, 1))
        let line = progressLine(done: state.stepsPerEpoch, total: state.stepsPerEpoch)
            + " - \(ProgressBar.duration(elapsed)) \(ProgressBar.stepTime(perStep))/step" + ProgressBar.format(logs)
        let padding = String(repeating: " ", count: Swift.max(0, lastLength - line.count))
        write((isTerminal ? "\r" : "") + line + padding + "\n")
    }

    /// `128/422 [=========>....................]` (all `=` when done).
    func progressLine(done: Int, total: Int) -> String {
        let digits = String(total).count
        let counter = String(repeating: " ", count: Swift.max(0, digits - String(done).count)) + "\(done)/\(total)"
        let filled = total > 0 ? Int(Double(width) * Double(done) / Double(total)) : width
        let bar: String
        if done >= total {
            bar = String(repeating: "=", count: width)
        } else {
            bar = String(repeating: "=", count: Swift.max(filled - 1, 0)) + ">"
                + String(repeating: ".", count: width - Swift.max(filled, 1))
        }
        return "\(counter) [\(bar)]"
    }

    /// ` - loss: 0.1151 - accuracy: 0.9644` (values below 1e-3 in scientific notation, as Keras).
    static func format(_ logs: Logs) -> String {
        logs.entries.map { entry in
            let value = entry.value
            let text = value != 0 && Swift.abs(value) < 1e-3 ? String(format: "%.4e", value) : String(format: "%.4f", value)
            return " - \(entry.name): \(text)"
        }.joined()
    }

    /// Whole seconds, or minutes and seconds above a minute, as Keras writes durations.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 3600 { return String(format: "%d:%02d:%02d", Int(seconds) / 3600, Int(seconds) % 3600 / 60, Int(seconds) % 60) }
        if seconds >= 60 { return String(format: "%d:%02d", Int(seconds) / 60, Int(seconds) % 60) }
        return "\(Int(seconds.rounded()))s"
    }

    /// `29ms`, `1s` or `310us` for the time of one step.
    static func stepTime(_ seconds: Double) -> String {
        if seconds >= 1 { return "\(Int(seconds.rounded()))s" }
        if seconds >= 1e-3 { return "\(Int((seconds * 1e3).rounded()))ms" }
        return "\(Int((seconds * 1e6).rounded()))us"
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
