import ArgumentParser
import Foundation
import StrataCore

/// `strata`: train, evaluate and compare neural networks on image data, and draw their plots.
@main
struct StrataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Train, evaluate and compare neural networks on image data, and draw their plots.",
        discussion: """
        With no subcommand, `strata` runs `strata train` with its defaults: a small convnet on MNIST \
        (when STRATA_DATA or the cache has it) or on Fashion-MNIST (Debian's dataset-fashion-mnist).
        """,
        subcommands: [TrainCommand.self, RankCommand.self, ArgmaxCommand.self, DataCommand.self, HistogramCommand.self],
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
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// Applies `--threads`.
    func applyThreads() {
        if let threads { ThreadPolicy.setThreadCount(threads) }
    }
}

/// Writes a line to standard output at once (so progress shows in pipes too).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
