import Foundation
import StrataData

/// Writes one line per epoch to a CSV file (`epoch,loss,accuracy,val_loss,…`), flushed every epoch
/// so a run that is interrupted keeps the lines of the epochs it finished.
public final class CSVLogger: Callback {
    /// The file written.
    public let url: URL
    /// Whether to add to an existing file instead of starting a new one.
    public let append: Bool
    /// The epochs a resumed run starts from, rewritten first so that lines written after the
    /// checkpoint (by a run killed before its next one) are dropped.
    public let prior: History?
    private var columns: [String]?
    private var handle: FileHandle?
    /// The first error met while writing, if any (training goes on).
    public private(set) var writeError: (any Error)?

    /// A logger writing to `url`.
    public init(url: URL, append: Bool = false) {
        self.url = url
        self.append = append
        prior = nil
    }

    /// A logger for a resumed run: the file is rewritten with the epochs of `history`, then each new
    /// epoch is added.
    public init(url: URL, continuing history: History) {
        self.url = url
        append = true
        prior = history
    }

    /// Opens the file (creating it, or keeping its lines when appending).
    public func onTrainBegin(model: Model, state: TrainingState) {
        do {
            let exists = FileManager.default.fileExists(atPath: url.path)
            if let prior, !prior.epochs.isEmpty {
                try AtomicFile.write(Data(prior.csv().utf8), to: url)
                columns = prior.names
            } else if !append || !exists {
                try Data().write(to: url)
                columns = nil
            } else if let text = try? String(contentsOf: url, encoding: .utf8), let header = text.split(separator: "\n").first {
                columns = header.split(separator: ",").dropFirst().map(String.init)
            }
            handle = try FileHandle(forWritingTo: url)
            try handle?.seekToEnd()
        } catch {
            writeError = error
        }
    }

    /// Adds the epoch's line (and the header before the first line).
    public func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        guard let handle else { return }
        var text = ""
        if columns == nil {
            columns = logs.entries.map(\.name)
            text += (["epoch"] + columns!).joined(separator: ",") + "\n"
        }
        let values = columns!.map { name in logs[name].map { String($0) } ?? "" }
        text += ([String(state.epoch + 1)] + values).joined(separator: ",") + "\n"
        do {
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
        } catch {
            writeError = error
        }
    }

    /// Closes the file.
    public func onTrainEnd(model: Model, state: TrainingState, logs: Logs) {
        try? handle?.close()
        handle = nil
    }
}
