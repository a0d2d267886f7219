import ArgumentParser
import Foundation
import StrataExperiments

/// `strata train`: trains a classifier and writes its run folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier, checkpointing every epoch, and write its run folder with plots and a report.",
        discussion: """
        Models: \(ModelCatalog.names.joined(separator: ", ")).
        Results go to runs/<dataset>-<model>-<date>-<time> unless --out names a folder; an existing run \
        folder is never overwritten without --overwrite. --resume <run folder> continues an interrupted \
        run exactly, with the options it was started with.
        """)

    @OptionGroup var training: TrainingArguments

    @Option(help: "The run folder (default: runs/<dataset>-<model>-<date>-<time>).")
    var out: String?

    @Flag(help: "Replace an existing run folder.")
    var overwrite = false

    @Option(help: "Continue the interrupted run in this folder (its saved options are used).")
    var resume: String?

    @OptionGroup var common: CommonOptions
    @OptionGroup var tracking: TrackingArguments

    func validate() throws {
        if let swept = try training.sweptOption() {
            throw ValidationError("--\(swept.name) has \(swept.count) values; use `strata sweep` to train once per value")
        }
        if resume == nil { _ = try training.options(0, common: common) } else { try ResumeArguments.check(allowed: []) }
    }

    func run() throws {
        if let resume {
            _ = try ClassifierTraining.resume(resume, log: say)
        } else {
            _ = try ClassifierTraining.start(try training.options(0, common: common), output: out, overwrite: overwrite, log: say)
        }
    }
}
