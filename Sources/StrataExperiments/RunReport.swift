import Foundation
import StrataData
import StrataPlot
import StrataTrain

/// Everything a finished training run shows, and the files it writes into its run folder:
/// `history.csv`, `history.json`, `accuracy.png`, `loss.png`, `confusion.png`, `misclassified.png`,
/// `summary.txt`, `metrics.json` and a self-contained `report.html` that shows all of them.
public struct RunReport {
    /// One wrongly classified example, for the image grid.
    public struct Mistake: Sendable {
        /// The pixels, row-major, one channel.
        public var pixels: [UInt8]
        /// The image's width.
        public var width: Int
        /// The image's height.
        public var height: Int
        /// The true class.
        public var trueClass: Int
        /// The predicted class.
        public var predictedClass: Int

        /// A mistake on an image of `width` × `height`.
        public init(pixels: [UInt8], width: Int, height: Int, trueClass: Int, predictedClass: Int) {
            self.pixels = pixels
            self.width = width
            self.height = height
            self.trueClass = trueClass
            self.predictedClass = predictedClass
        }
    }

    /// The title at the top of the report.
    public var title: String
    /// The per-epoch history.
    public var history: History
    /// The model's summary table.
    public var summary: String
    /// The final numbers, timings and options, written as `metrics.json`.
    public var metrics: RunMetrics
    /// The class names, for chart labels.
    public var classNames: [String]
    /// Confusion counts on the test set: `confusion[true][predicted]`.
    public var confusion: [[Int]]?
    /// Some misclassified test images.
    public var mistakes: [Mistake]
    /// The command that reproduces the run (`strata train …`), if known.
    public var command: String?

    /// A report of the given parts.
    public init(title: String, history: History, summary: String, metrics: RunMetrics, classNames: [String],
                confusion: [[Int]]? = nil, mistakes: [Mistake] = [], command: String? = nil) {
        self.command = command
        self.title = title
        self.history = history
        self.summary = summary
        self.metrics = metrics
        self.classNames = classNames
        self.confusion = confusion
        self.mistakes = mistakes
    }

    /// Writes every file into `folder` (which must exist) and returns their URLs.
    @discardableResult
    public func write(to folder: URL) throws -> [URL] {
        var written: [URL] = []
        func file(_ name: String) -> URL {
            let url = folder.appendingPathComponent(name)
            written.append(url)
            return url
        }
        try AtomicFile.write(Data(history.csv().utf8), to: file("history.csv"))
        try AtomicFile.write(try RunReport.jsonEncoder.encode(history), to: file("history.json"))
        try AtomicFile.write(Data((summary + "\n").utf8), to: file("summary.txt"))
        try AtomicFile.write(try RunReport.jsonEncoder.encode(metrics), to: file("metrics.json"))
        for chart in charts() { _ = try chart.chart.save(to: file(chart.file)) }
        try AtomicFile.write(Data(html().utf8), to: file("report.html"))
        return written
    }

    /// The charts of the report with their file names.
    func charts() -> [(file: String, chart: any Chart)] {
        var result: [(String, any Chart)] = []
        for (quantity, file) in [("accuracy", "accuracy.png"), ("loss", "loss.png")] where !history[quantity].isEmpty {
            var chart = LineChart(title: quantity == "loss" ? "Loss" : "Accuracy", xLabel: "epoch", yLabel: quantity)
            let epochs = history.epochs.map(Double.init)
            chart.add(series: "training", x: epochs, y: history[quantity])
            if !history["val_" + quantity].isEmpty {
                chart.add(series: "validation", x: epochs, y: history["val_" + quantity])
            }
            result.append((file, chart))
        }
        if let confusion {
            result.append(("confusion.png", Heatmap.confusionMatrix(confusion, classes: classNames)))
        }
        if !mistakes.isEmpty {
            var grid = ImageGrid(title: "Misclassified test images (true / predicted)", columns: 8)
            for mistake in mistakes {
                grid.add(image: mistake.pixels, width: mistake.width, height: mistake.height,
                         caption: "\(label(mistake.trueClass)) / \(label(mistake.predictedClass))")
            }
            result.append(("misclassified.png", grid))
        }
        return result
    }

    private func label(_ index: Int) -> String {
        index < classNames.count ? classNames[index] : String(index)
    }

    /// One HTML page with the charts embedded as data URLs, the metrics, the summary and the history.
    func html() -> String {
        let escape = HTMLPage.escape
        var page = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>\(escape(title))</title>
        \(HTMLPage.style)
        </head><body><h1>\(escape(title))</h1>
        <h2>Results</h2><table>
        """
        for (key, value) in metrics.tableRows() {
            page += "<tr><th style=\"text-align:left\">\(escape(key))</th><td>\(escape(value))</td></tr>"
        }
        page += "</table>\n"
        if let command {
            page += "<h2>Command</h2><pre>\(escape(command))</pre>\n"
        }
        let options = metrics.optionRows()
        if !options.isEmpty {
            page += "<h2>Options</h2><table>"
            for (key, value) in options {
                page += "<tr><th style=\"text-align:left\">\(escape(key))</th><td>\(escape(value))</td></tr>"
            }
            page += "</table>\n"
        }
        if !metrics.perClass.isEmpty {
            page += "<h2>Per class (test set)</h2><table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>"
            for score in metrics.perClass {
                page += "<tr><td>\(escape(score.name))</td>" + String(format: "<td>%.4f</td><td>%.4f</td><td>%.4f</td>",
                                                                        score.precision, score.recall, score.f1)
                    + "<td>\(score.support)</td></tr>"
            }
            page += "</table>\n"
        }
        for chart in charts() {
            if let png = try? chart.chart.render(as: .png) {
                page += "<h2>\(escape(chart.file))</h2><img alt=\"\(escape(chart.file))\" src=\"data:image/png;base64,\(Data(png).base64EncodedString())\">\n"
            }
        }
        page += "<h2>Model</h2><pre>\(escape(summary))</pre>\n<h2>History</h2><table><tr><th>epoch</th>"
        page += history.names.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        for (row, epoch) in history.epochs.enumerated() {
            page += "<tr><td>\(epoch)</td>" + history.names.map { String(format: "<td>%.4f</td>", history[$0][row]) }.joined() + "</tr>"
        }
        return page + "</table></body></html>\n"
    }

    /// The JSON file at `url` decoded as `T`; throws naming the file when it is missing (`hint` says what
    /// should have written it) or does not decode.
    static func readJSON<T: Decodable>(_ type: T.Type, at url: URL, hint: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ExperimentError("\(url.path): missing; \(hint)")
        }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw ExperimentError("\(url.path): unreadable (\(error))")
        }
    }

    /// The encoder of every JSON file in a run folder: sorted keys, pretty-printed, non-finite numbers as strings.
    public static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()
}

/// A problem with an experiment request or its files, naming what is at fault.
public struct ExperimentError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
