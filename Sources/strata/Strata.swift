import ArgumentParser
import Foundation
import StrataCore
import StrataDistributed
import StrataExperiments
import StrataTrain

/// `strata`: train, evaluate and compare neural networks on image data, and draw their plots.
@main
struct StrataCommand: ParsableCommand {
    /// Checks the tuning variables (`EnvironmentSettings`), applies the wait policy (`WaitPolicy`), then
    /// runs the command.
    static func main() {
        do {
            try EnvironmentSettings.check()
            try WaitPolicy.relaunchIfNeeded()
        } catch { exit(withError: error) }
        var resumeCommand: String?
        do {
            var command = try parseAsRoot()
            resumeCommand = Self.resumeCommand(of: command)
            if resumeCommand != nil { TrainingSignals.install() }
            let world = try Self.dataParallelWorld(for: command)
            // Only rank 0 records the run in the store.
            RunTracking.configuration = (world?.isRoot ?? true) ? (command as? any TrackedCommand)?.trackingConfiguration : nil
            RunTracking.configuration?.worldSize = world?.size ?? 1
            try command.run()
            RunTracking.closeStores()
            try world?.finalize()
        } catch let interrupted as TrainingInterrupted {
            RunTracking.endOpenRuns(after: interrupted)
            RunTracking.closeStores()
            // Ctrl-C or SIGTERM: the loop stopped at a step boundary and saved where it was.
            var message = "strata: \(interrupted)"
            if let checkpoint = interrupted.checkpoint, let resumeCommand {
                let folder = URL(fileURLWithPath: checkpoint).deletingLastPathComponent().path
                message += "\ncontinue with: strata \(resumeCommand) --resume \(folder)"
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(interrupted.exitStatus)
        } catch {
            RunTracking.endOpenRuns(after: error)
            RunTracking.closeStores()
            exit(withError: error)
        }
    }

    /// Under `mpirun`, the processes `strata train` trains across (rank 0 alone prints; the others' standard
    /// output is discarded); nil in a single process. Other commands refuse to run under `mpirun`.
    static func dataParallelWorld(for command: any ParsableCommand) throws -> Communicator? {
        guard Communicator.launchedByMPIRun() else { return nil }
        guard command is TrainCommand else {
            throw ValidationError("only `strata train` runs data-parallel under mpirun; run this command in one process")
        }
        let world = try Communicator.world()
        if !world.isRoot { _ = freopen("/dev/null", "w", stdout) }
        return world
    }

    /// The subcommand that continues an interrupted run of `command` with `--resume`, if it trains.
    static func resumeCommand(of command: any ParsableCommand) -> String? {
        switch command {
        case is TrainCommand, is SweepCommand: return "train"   // each run of a sweep is a training run
        case is RankCommand: return "rank"
        case is ArgmaxCommand: return "argmax"
        case is RetrieveTrainCommand: return "retrieve train"
        default: return nil
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Train, evaluate and compare neural networks on image data, and draw their plots.",
        discussion: """
        With no subcommand, `strata` runs `strata train` with its defaults: a small convnet on MNIST \
        (when STRATA_DATA or the cache has it) or on Fashion-MNIST (Debian's dataset-fashion-mnist).
        """,
        subcommands: [TrainCommand.self, EvaluateCommand.self, PredictCommand.self, EnsembleCommand.self, SweepCommand.self,
                      RankCommand.self, ArgmaxCommand.self, RetrieveCommand.self, HistogramCommand.self, PlotCommand.self, DataCommand.self,
                      ExportCommand.self, ImportCommand.self, RunsCommand.self, ServeLauncherCommand.self],
        defaultSubcommand: TrainCommand.self)
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "The seed of every random choice (weights, splits, shuffles, augmentation).")
    var seed: UInt64 = 42

    @Option(help: "Threads for every kernel (default: STRATA_THREADS, else the number of cores).")
    var threads: Int?

    @Option(name: .customLong("data-dir"), help: "A folder to look for the built-in datasets in first.")
    var dataDirectory: String?

    func validate() throws {
        if let threads { try OptionCheck.count(threads, "--threads", in: 1...TrainingOptions.maximumThreads) }
        try OptionCheck.folder(dataDirectory, "--data-dir")
    }

    /// Applies `--threads`.
    func applyThreads() {
        if let threads { ThreadPolicy.setThreadCount(threads) }
    }
}

/// Writes a line to standard output at once (so progress shows in pipes too), in order with the
/// progress bar's lines.
func say(_ line: String) {
    ProgressBar.writeToStandardOutput(line + "\n")
}
