import Foundation

/// The folder a run writes into (`runs/<dataset>-<model>-<date>-<time>` unless `--out` names one),
/// and the names of the files in it.
public struct RunFolder: Sendable {
    /// The folder.
    public let url: URL

    /// The options of the run, for `--resume` and `strata evaluate`.
    public var options: URL { url.appendingPathComponent("options.json") }
    /// The checkpoint written after every epoch (weights, optimizer state, progress).
    public var checkpoint: URL { url.appendingPathComponent("checkpoint.safetensors") }
    /// The final weights, `model.safetensors` (written at the end of training and by `strata import`).
    public var model: URL { url.appendingPathComponent("model.safetensors") }
    /// The per-epoch log written while training.
    public var history: URL { url.appendingPathComponent("history.csv") }

    /// An existing run folder (for `--resume`, `evaluate`, `ensemble`); throws naming what is missing.
    public init(existing path: String) throws {
        url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ExperimentError("run folder \(path) does not exist")
        }
        // A run has options and a checkpoint; an imported model (`strata import`) has model.safetensors instead.
        let weights = FileManager.default.fileExists(atPath: model.path) ? model : checkpoint
        for file in [options, weights] where !FileManager.default.fileExists(atPath: file.path) {
            throw ExperimentError("run folder \(path) has no \(file.lastPathComponent): is it a strata training run?")
        }
    }

    /// The run folder at `path` to continue with `--resume`, and its saved options of type `Options`,
    /// validated; throws naming what is missing or the option at fault, and says so when the run stopped
    /// before its first checkpoint (`unit`: what the run counts, "epoch" or "episode"). An edited or damaged
    /// `options.json` is refused naming the file and the option instead of failing deep inside the run.
    public static func resuming<Options: ValidatableOptions>(_ path: String, unit: String,
                                                             options: Options.Type) throws -> (RunFolder, Options) {
        let url = URL(fileURLWithPath: path), manager = FileManager.default
        if manager.fileExists(atPath: url.appendingPathComponent("options.json").path),
           !manager.fileExists(atPath: url.appendingPathComponent("checkpoint.safetensors").path) {
            throw ExperimentError("run folder \(path) has no checkpoint.safetensors: the run stopped before its first "
                                  + "checkpoint (saved after the first \(unit) that ends --checkpoint-every seconds, 30 by default, into the run); start it again")
        }
        let folder = try RunFolder(existing: path)
        let options = try readOptions(Options.self, from: folder.options)
        folder.removeAbandonedTemporaries()
        return (folder, options)
    }

    /// The run options saved at `url`, decoded and validated; throws naming the file and the fault.
    public static func readOptions<Options: ValidatableOptions>(_ type: Options.Type, from url: URL) throws -> Options {
        let options: Options
        do {
            options = try JSONDecoder().decode(Options.self, from: Data(contentsOf: url))
        } catch {
            throw ExperimentError("\(url.path): not readable run options: \(error)")
        }
        do {
            try options.validate()
        } catch {
            throw ExperimentError("\(url.path): \(error)")
        }
        return options
    }

    /// Creates a new run folder: `output` when given, else a dated folder under `runs/`. An existing
    /// non-empty folder is refused unless `overwrite`, so no run is ever overwritten by accident.
    public static func create(output: String?, name: String, overwrite: Bool) throws -> RunFolder {
        let url: URL
        if let output {
            url = URL(fileURLWithPath: output)
        } else {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            formatter.locale = Locale(identifier: "en_US_POSIX")
            url = URL(fileURLWithPath: "runs").appendingPathComponent("\(name)-\(formatter.string(from: Date()))")
        }
        let manager = FileManager.default
        if let contents = try? manager.contentsOfDirectory(atPath: url.path), !contents.isEmpty {
            guard overwrite else {
                throw ExperimentError("run folder \(url.path) already exists; pass --overwrite to replace it or --out to choose another")
            }
            try manager.removeItem(at: url)
        }
        do {
            try manager.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ExperimentError("cannot create run folder \(url.path): \(error.localizedDescription)")
        }
        return RunFolder(url: url)
    }

    private init(url: URL) { self.url = url }

    /// Removes the temporary files (`.<name>.<pid>.<n>.tmp`) of writes that a killed process never
    /// renamed into place; nothing reads them.
    public func removeAbandonedTemporaries() {
        let manager = FileManager.default
        for name in (try? manager.contentsOfDirectory(atPath: url.path)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            try? manager.removeItem(at: url.appendingPathComponent(name))
        }
    }

    /// The run folder at `path` that another process writes: a data-parallel rank other than 0 names it
    /// but never creates or writes it.
    public static func writtenElsewhere(_ path: String) -> RunFolder {
        RunFolder(url: URL(fileURLWithPath: path))
    }
}
