import Foundation

/// The final numbers of a training run, its timings, its seed and every option (`metrics.json`).
public struct RunMetrics: Codable, Equatable, Sendable {
    /// Precision and recall of one class on the test set.
    public struct ClassScore: Codable, Equatable, Sendable {
        /// The class name.
        public var name: String
        /// Of the examples predicted as this class, the share that were.
        public var precision: Double
        /// Of the examples of this class, the share predicted as it.
        public var recall: Double
        /// The number of test examples of this class.
        public var support: Int

        /// The harmonic mean of precision and recall (0 when both are 0).
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    }

    /// The dataset's name.
    public var dataset: String
    /// The model's name.
    public var model: String
    /// The test accuracy (fraction) on the full test set.
    public var testAccuracy: Double?
    /// The test loss.
    public var testLoss: Double?
    /// The number of test examples.
    public var testExamples: Int?
    /// Per-class precision and recall on the test set.
    public var perClass: [ClassScore] = []
    /// Test confusion counts, `confusion[true][predicted]`.
    public var confusion: [[Int]]?
    /// The last epoch's validation accuracy, if there was validation data.
    public var validationAccuracy: Double?
    /// Seconds spent training (all epochs of this run, validation included).
    public var trainingSeconds: Double = 0
    /// Processor seconds of training (every thread; nil in runs written before it was recorded).
    public var trainingProcessorSeconds: Double?
    /// Epochs trained in this run.
    public var epochs: Int = 0
    /// The seed of the run.
    public var seed: UInt64 = 0
    /// The number of threads used.
    public var threads: Int = 0
    /// The number of trainable parameters.
    public var parameters: Int = 0
    /// Every option of the run, by name.
    public var options: [String: String] = [:]

    /// Metrics for `model` on `dataset`.
    public init(dataset: String, model: String) {
        self.dataset = dataset
        self.model = model
    }

    /// The rows of the report's results table.
    func tableRows() -> [(String, String)] {
        var rows: [(String, String)] = [("dataset", dataset), ("model", model)]
        if let testAccuracy { rows.append(("test accuracy", String(format: "%.2f%%", testAccuracy * 100))) }
        if let testLoss { rows.append(("test loss", String(format: "%.4f", testLoss))) }
        if let testExamples { rows.append(("test examples", String(testExamples))) }
        if let validationAccuracy { rows.append(("validation accuracy", String(format: "%.2f%%", validationAccuracy * 100))) }
        rows.append(("epochs", String(epochs)))
        rows.append(("training time", String(format: "%.1f s", trainingSeconds)
                     + (trainingProcessorSeconds.map { String(format: " (processor %.1f s)", $0) } ?? "")))
        rows.append(("parameters", String(parameters)))
        rows.append(("seed", String(seed)))
        rows.append(("threads", String(threads)))
        return rows
    }

    /// The rows of the report's options table: every option not already among the results, its name in
    /// words (`batchSize` → "batch size").
    func optionRows() -> [(String, String)] {
        let shown: Set<String> = ["dataset", "model", "epochs", "seed", "threads"]
        return options.keys.filter { !shown.contains($0) }.sorted().map { (Self.words($0), options[$0]!) }
    }

    /// A camelCase name as lowercase words.
    static func words(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase && !result.isEmpty { result += " " }
            result += character.lowercased()
        }
        return result
    }

    /// Precision and recall per class from `confusion[true][predicted]`; `unscored[c]` examples of class
    /// `c` had no prediction (a NaN or infinite score) and count against its recall.
    public static func classScores(confusion: [[Int]], classNames: [String], unscored: [Int] = []) -> [ClassScore] {
        confusion.indices.map { c in
            let truePositives = confusion[c][c]
            let predicted = confusion.reduce(0) { $0 + $1[c] }
            let actual = confusion[c].reduce(0, +) + (c < unscored.count ? unscored[c] : 0)
            return ClassScore(name: c < classNames.count ? classNames[c] : String(c),
                              precision: predicted == 0 ? 0 : Double(truePositives) / Double(predicted),
                              recall: actual == 0 ? 0 : Double(truePositives) / Double(actual), support: actual)
        }
    }
}
