import ArgumentParser
import Foundation
import StrataExperiments
import StrataPlot

/// `strata histogram`: the per-class counts of a dataset split as a bar chart.
struct HistogramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "histogram", abstract: "Draw the per-class counts of a dataset split as a bar chart.")

    @Option(help: "mnist, fashion-mnist, default, a folder of PNGs (one subfolder per class) or a CSV file.")
    var dataset = "default"

    @Option(help: "training, test, train-split or validation.")
    var part = ClassHistogram.Part.training.rawValue

    @Option(name: .customLong("validation-split"), help: "The validation share, in (0, 1), for train-split and validation (default 0.3).")
    var validationSplit: Double?

    @Flag(help: "Keep each class's share in the validation split.")
    var stratified = false

    @Option(help: "The chart file (.png, .svg or .pdf).")
    var out = "histogram.png"

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard let chosen = ClassHistogram.Part(rawValue: part) else {
            throw ValidationError("--part must be one of \(ClassHistogram.Part.allCases.map(\.rawValue).joined(separator: ", ")), got '\(part)'")
        }
        let splits = chosen == .train || chosen == .validation
        if let validationSplit {
            guard splits else { throw ValidationError("--validation-split does not apply to --part \(part); only to train-split and validation") }
            guard validationSplit > 0 && validationSplit < 1 else {
                throw ValidationError("--validation-split must be in (0, 1), got \(validationSplit)")
            }
        }
        if stratified && !splits {
            throw ValidationError("--stratified does not apply to --part \(part); only to train-split and validation")
        }
        guard (try? OutputFormat(path: out)) != nil else { throw ValidationError("--out \(out) must end in .png, .svg or .pdf") }
    }

    func run() throws {
        guard let chosen = ClassHistogram.Part(rawValue: part) else { return }
        common.applyThreads()
        let data = try ExperimentData.load(dataset, dataDirectory: common.dataDirectory, seed: common.seed)
        let counts = try ClassHistogram.draw(data, part: chosen, validationSplit: validationSplit ?? 0.3, stratified: stratified,
                                             seed: common.seed, to: URL(fileURLWithPath: out))
        for (name, count) in zip(data.training.classNames, counts) { say("\(name): \(count)") }
        say("wrote \(out)")
    }
}
