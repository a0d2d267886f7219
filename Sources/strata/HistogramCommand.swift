import ArgumentParser
import Foundation
import StrataExperiments

/// `strata histogram`: the per-class counts of a dataset split as a bar chart.
struct HistogramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "histogram", abstract: "Draw the per-class counts of a dataset split as a bar chart.")

    @Option(help: "mnist, fashion-mnist, default, a folder of PNGs (one subfolder per class) or a CSV file.")
    var dataset = "default"

    @Option(help: "training, test, train-split or validation.")
    var part = ClassHistogram.Part.training.rawValue

    @Option(name: .customLong("validation-split"), help: "The validation share for train-split and validation.")
    var validationSplit = 0.3

    @Flag(help: "Keep each class's share in the validation split.")
    var stratified = false

    @Option(help: "The chart file (.png, .svg or .pdf).")
    var out = "histogram.png"

    @OptionGroup var common: CommonOptions

    func run() throws {
        guard let chosen = ClassHistogram.Part(rawValue: part) else {
            throw ValidationError("--part must be one of \(ClassHistogram.Part.allCases.map(\.rawValue).joined(separator: ", ")), got '\(part)'")
        }
        common.applyThreads()
        let data = try ExperimentData.load(dataset, dataDirectory: common.dataDirectory, seed: common.seed)
        let counts = try ClassHistogram.draw(data, part: chosen, validationSplit: validationSplit, stratified: stratified,
                                             seed: common.seed, to: URL(fileURLWithPath: out))
        for (name, count) in zip(data.training.classNames, counts) { say("\(name): \(count)") }
        say("wrote \(out)")
    }
}
