import ArgumentParser
import Foundation
import StrataExperiments

/// `strata sweep`: one training repeated over the values of one option.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Repeat one training over a list of values of one option, overlay the curves and tabulate the results.",
        discussion: """
        Give exactly one training option a comma-separated list, for example:
          strata sweep --dataset fashion-mnist --model dense128 --batch-size 8,16,32,64 --epochs 15
        Each run goes to <out>/<option>-<value>; the overlaid curves are sweep-accuracy.png and sweep-loss.png.
        """)

    @OptionGroup var training: TrainingArguments

    @Option(help: "The folder of the sweep (default: runs/sweep-<option>).")
    var out: String?

    @Flag(help: "Replace existing run folders.")
    var overwrite = false

    @OptionGroup var common: CommonOptions
    @OptionGroup var tracking: TrackingArguments

    func validate() throws {
        guard let swept = try training.sweptOption() else {
            throw ValidationError("give one option several comma-separated values, e.g. --batch-size 8,16,32,64")
        }
        for index in 0..<swept.count { _ = try training.options(index, common: common) }
    }

    func run() throws {
        guard let swept = try training.sweptOption() else { return }
        let labels = try labels(of: swept.name)
        let runs = try labels.enumerated().map { (index, label) in (label, try training.options(index, common: common)) }
        _ = try Sweep.run(option: swept.name, runs: runs, folder: out ?? "runs/sweep-\(swept.name)",
                          overwrite: overwrite, log: say)
    }

    /// The values of the swept option as they were written.
    private func labels(of name: String) throws -> [String] {
        let arguments = CommandLine.arguments
        guard let index = arguments.lastIndex(where: { $0 == "--\(name)" || $0.hasPrefix("--\(name)=") }) else {
            throw ValidationError("--\(name) not found on the command line")
        }
        let raw = arguments[index].contains("=") ? String(arguments[index].split(separator: "=", maxSplits: 1)[1])
            : arguments[index + 1]
        return raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
