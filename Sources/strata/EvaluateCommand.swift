import ArgumentParser
import Foundation
import StrataExperiments
import StrataPlot

/// `strata evaluate`: a saved model's accuracy, per-class precision and recall, and confusion matrix.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained run on a test set: accuracy, per-class precision and recall, confusion matrix.")

    @Argument(help: "The run folder written by `strata train`.")
    var runFolder: String

    @Option(help: "The dataset whose test set to use (default: the run's own).")
    var dataset: String?

    @Option(name: .customLong("confusion"), help: "Also draw the confusion matrix to this file (.png, .svg, .pdf).")
    var confusionChart: String?

    @OptionGroup var evaluation: EvaluationArguments

    @OptionGroup var common: CommonOptions

    func validate() throws {
        _ = try RunFolder(existing: runFolder)
        if let confusionChart, (try? OutputFormat(path: confusionChart)) == nil {
            throw ValidationError("--confusion \(confusionChart) must end in .png, .svg or .pdf")
        }
    }

    func run() throws {
        common.applyThreads()
        let data = try TrainedClassifier.data(of: runFolder, dataset: dataset, dataDirectory: common.dataDirectory)
        let choice = evaluation.choice
        let classifier = try TrainedClassifier(runFolder, for: data.test, weights: choice)
        let views = evaluation.testTimeAugmentation ?? classifier.options.testTimeAugmentation ?? 1
        let result = try ClassifierEvaluation.run(classifier.model, on: data.test, augmentation: classifier.augmentation,
                                                      testTimeAugmentation: views)
        let names = data.test.classNames
        say("\(classifier.options.model) on the \(data.name) test set (\(data.test.count) images)"
            + (views > 1 ? ", probabilities averaged over \(views) views" : "") + (choice == .trained ? ", the trained weights" : ""))
        say(String(format: "accuracy: %.2f%%   loss: %.4f", result.accuracy * 100, result.loss))
        let unscored = result.unscored.reduce(0, +)
        if unscored > 0 { say("\(unscored) images had a NaN or infinite score and count as wrong") }
        say("")
        say("class            precision   recall   support")
        for score in RunMetrics.classScores(confusion: result.confusion, classNames: names,
                                                        unscored: result.unscored) {
            say("\(score.name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(String(format: "%9.4f %8.4f %9d", score.precision, score.recall, score.support))")
        }
        say("")
        say("confusion matrix (rows: true class, columns: predicted class)")
        for (c, row) in result.confusion.enumerated() {
            say(String(c).padding(toLength: 4, withPad: " ", startingAt: 0) + row.map { String(format: "%6d", $0) }.joined())
        }
        if let confusionChart {
            _ = try Heatmap.confusionMatrix(result.confusion, classes: names).save(to: confusionChart)
            say("wrote \(confusionChart)")
        }
    }
}

/// `strata predict`: labels with probabilities for images.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Label images (PNG, PGM, JPEG) or an IDX image file with a trained run, with probabilities.")

    @Argument(help: "The run folder written by `strata train`.")
    var runFolder: String

    @Argument(help: "Image files (PNG, PGM, JPEG), or IDX image files (.gz or raw).")
    var inputs: [String]

    @Option(help: "How many of the most probable classes to print.")
    var top = 1

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one image or IDX file to label") }
        _ = try RunFolder(existing: runFolder)
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
        for input in inputs where !FileManager.default.fileExists(atPath: input) {
            throw ValidationError("\(input): no such file to label")
        }
    }

    func run() throws {
        common.applyThreads()
        let data = try TrainedClassifier.data(of: runFolder, dataDirectory: common.dataDirectory)
        guard top <= data.test.classCount else {
            throw ValidationError("--top must be at most the \(data.test.classCount) classes of the run, got \(top)")
        }
        let classifier = try TrainedClassifier(runFolder, for: data.test)
        let results = try Prediction.run(classifier, paths: inputs, classNames: data.test.classNames,
                                         height: data.test.height, width: data.test.width, top: top)
        for result in results {
            let labels = result.top.map { "\($0.className) (\(String(format: "%.4f", $0.probability)))" }.joined(separator: ", ")
            say("\(result.source): \(labels)")
        }
    }
}

/// `strata plot`: redraw one run's charts, or overlay several runs.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Redraw the charts of a run folder, or overlay the curves of several runs on one chart.")

    @Argument(help: "One run folder (its charts are redrawn) or several (their curves are overlaid).")
    var runs: [String]

    @Option(help: "The folder for the charts (default: the run folder for one run, the current folder for several).")
    var out: String?

    @Flag(help: "Instead: one chart per dataset of test accuracy against training time, a point per run and the Pareto front dashed (accuracy-vs-time-<dataset>.png).")
    var accuracyVsTime = false

    @Option(help: "With --accuracy-vs-time: wall or processor seconds (processor: fair between runs that shared a busy machine).")
    var time: String = AccuracyTimeChart.Time.wall.rawValue

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one run folder") }
        guard AccuracyTimeChart.Time(rawValue: time) != nil else {
            throw ValidationError("--time must be wall or processor, got \(time)")
        }
    }

    func run() throws {
        if accuracyVsTime { return try drawAccuracyAgainstTime() }
        // Every run is read before anything is written.
        for run in runs { _ = try RunPlots.load(run) }
        let output = URL(fileURLWithPath: out ?? (runs.count == 1 ? runs[0] : "."))
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let files = runs.count == 1 ? try RunPlots.redraw(runs[0], into: output) : try RunPlots.compare(runs, into: output)
        for file in files { say("wrote \(file.path)") }
    }

    /// Prints every run's accuracy and time (✓ on the front) and draws a chart per dataset.
    private func drawAccuracyAgainstTime() throws {
        let measure = AccuracyTimeChart.Time(rawValue: time) ?? .wall   // validate() refused any other value
        let points = try AccuracyTimeChart.points(runs, time: measure)
        let output = URL(fileURLWithPath: out ?? ".")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        say("dataset         model          test accuracy   seconds  threads  front  run")
        for p in points.sorted(by: { ($0.dataset, $0.seconds) < ($1.dataset, $1.seconds) }) {
            say(p.dataset.padding(toLength: 15, withPad: " ", startingAt: 0) + " "
                + p.model.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(format: "%12.2f%% %9.0f %8d  ", p.accuracy * 100, p.seconds, p.threads)
                + (p.onFront ? "  ✓    " : "       ") + p.run)
        }
        var datasets: [String] = []
        for p in points where !datasets.contains(p.dataset) { datasets.append(p.dataset) }
        for dataset in datasets {
            let file = output.appendingPathComponent("accuracy-vs-time-\(dataset).png")
            _ = try AccuracyTimeChart.chart(points, dataset: dataset, time: measure).save(to: file.path)
            say("wrote \(file.path)")
        }
    }
}
