import ArgumentParser
import Foundation
import StrataExperiments
import StrataPlot

/// `strata ensemble`: several trained runs voting.
struct EnsembleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ensemble",
        abstract: "Combine trained runs by majority vote and by averaged probabilities; print each member's accuracy, the ensemble's, and how it grows member by member.")

    @Argument(help: "Two or more run folders trained on the same dataset (the growth table adds them in this order).")
    var runs: [String]

    @OptionGroup var evaluation: EvaluationArguments

    @Option(help: "A folder for ensemble.json, the growth chart (ensemble-growth.png) and the images every member gets wrong (missed-by-all.png).")
    var out: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard runs.count >= 2 else { throw ValidationError("an ensemble needs at least two run folders, got \(runs.count)") }
        for run in runs { _ = try RunFolder(existing: run) }
    }

    func run() throws {
        common.applyThreads()
        let data = try TrainedClassifier.data(of: runs[0], dataDirectory: common.dataDirectory)
        let result = try Ensemble.run(runs, data: data, weights: evaluation.choice,
                                      testTimeAugmentation: evaluation.testTimeAugmentation)
        say("test set: \(data.name), \(data.test.count) images")
        for (path, evaluation) in zip(result.members, result.memberEvaluations) {
            say(String(format: "%8.2f%%  ", evaluation.accuracy * 100) + path)
        }
        say(String(format: "%8.2f%%  ensemble, majority vote", result.vote.accuracy * 100))
        say(String(format: "%8.2f%%  ensemble, averaged probabilities", result.average.accuracy * 100))
        say("")
        say("members   vote   average")
        for step in result.growth {
            say(String(format: "%7d %6.2f%% %8.2f%%", step.members, step.voteAccuracy * 100, step.averageAccuracy * 100))
        }
        say("\(result.missedByAll.count) test images are wrong for every member")
        guard let out else { return }
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let summary = EnsembleSummary(result, dataset: data.name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = folder.appendingPathComponent("ensemble.json")
        try encoder.encode(summary).write(to: json, options: .atomic)
        let growth = folder.appendingPathComponent("ensemble-growth.png")
        _ = try Ensemble.growthChart(result).save(to: growth.path)
        for file in [json, growth] { say("wrote \(file.path)") }
        if !result.missedByAll.isEmpty {
            let grid = folder.appendingPathComponent("missed-by-all.png")
            _ = try Ensemble.missedByAllGrid(result, test: data.test).save(to: grid.path)
            say("wrote \(grid.path)")
        }
    }
}

/// What `strata ensemble --out` writes to ensemble.json.
private struct EnsembleSummary: Encodable {
    let dataset: String
    let members: [String]
    let memberAccuracies: [Double]
    let voteAccuracy: Double
    let averageAccuracy: Double
    let growth: [Ensemble.Step]
    let missedByAll: [Int]

    init(_ result: Ensemble.Result, dataset: String) {
        self.dataset = dataset
        members = result.members
        memberAccuracies = result.memberEvaluations.map(\.accuracy)
        voteAccuracy = result.vote.accuracy
        averageAccuracy = result.average.accuracy
        growth = result.growth
        missedByAll = result.missedByAll
    }
}
