import Foundation
import StrataPlot

/// Test accuracy against training time over finished runs, one point per run and the Pareto front
/// marked (`strata plot --accuracy-vs-time`): which model buys how much accuracy for how much time.
public enum AccuracyTimeChart {
    /// One finished run.
    public struct Point: Sendable, Equatable {
        /// The run folder.
        public let run: String
        /// The dataset it was trained on.
        public let dataset: String
        /// The catalog model.
        public let model: String
        /// Its test accuracy (fraction).
        public let accuracy: Double
        /// Its training time in seconds (validation included).
        public let seconds: Double
        /// The threads it trained on.
        public let threads: Int
        /// Whether no other run of the same dataset is both as fast and as accurate, and better in one.
        public var onFront = false

        /// A point; `onFront` is decided by `markFront`.
        public init(run: String, dataset: String, model: String, accuracy: Double, seconds: Double, threads: Int) {
            self.run = run
            self.dataset = dataset
            self.model = model
            self.accuracy = accuracy
            self.seconds = seconds
            self.threads = threads
        }
    }

    /// Which training time a point uses.
    public enum Time: String, CaseIterable, Sendable {
        /// Wall-clock seconds.
        case wall
        /// Processor seconds of every thread: fair between runs that shared a busy machine.
        case processor
    }

    /// The points of the runs in `paths` (their metrics.json), with the Pareto front of each dataset marked;
    /// throws naming a run that has no test accuracy or no training time of the kind asked for.
    public static func points(_ paths: [String], time: Time = .wall) throws -> [Point] {
        let points = try paths.map { path -> Point in
            let folder = try RunFolder(existing: path)
            let metrics = try RunReport.readJSON(RunMetrics.self, at: folder.url.appendingPathComponent("metrics.json"),
                                                 hint: "a finished `strata train` run writes it")
            guard let accuracy = metrics.testAccuracy else { throw ExperimentError("\(path): metrics.json has no test accuracy") }
            let seconds = time == .wall ? metrics.trainingSeconds : metrics.trainingProcessorSeconds ?? 0
            guard seconds > 0 else {
                throw ExperimentError("\(path): metrics.json has no \(time == .wall ? "training time" : "training processor time (trainingProcessorSeconds)")")
            }
            return Point(run: path, dataset: metrics.dataset, model: metrics.model, accuracy: accuracy,
                         seconds: seconds, threads: metrics.threads)
        }
        return markFront(points)
    }

    /// `points` with `onFront` set: per dataset, the runs no other run dominates (as fast or faster and
    /// as accurate or more, and strictly better in one of the two).
    public static func markFront(_ points: [Point]) -> [Point] {
        points.map { point in
            var marked = point
            marked.onFront = !points.contains { other in
                other.dataset == point.dataset && other.seconds <= point.seconds && other.accuracy >= point.accuracy
                    && (other.seconds < point.seconds || other.accuracy > point.accuracy)
            }
            return marked
        }
    }

    /// The chart of `dataset`'s points: one marker colour per model, time on a log axis, the front as a dashed line.
    public static func chart(_ points: [Point], dataset: String, time: Time = .wall) -> LineChart {
        let mine = points.filter { $0.dataset == dataset }
        var chart = LineChart(title: "Test accuracy against training time (\(dataset))",
                              xLabel: time == .wall ? "training time (s, log scale)" : "training time (processor s, log scale)",
                              yLabel: "test accuracy (%)")
        chart.xScale = .log
        var models: [String] = []
        for point in mine where !models.contains(point.model) { models.append(point.model) }
        for model in models {
            let runs = mine.filter { $0.model == model }
            chart.add(series: model, x: runs.map(\.seconds), y: runs.map { $0.accuracy * 100 }, style: .none)
        }
        let front = mine.filter(\.onFront).sorted { $0.seconds < $1.seconds }
        if !front.isEmpty {
            chart.add(series: "Pareto front", x: front.map(\.seconds), y: front.map { $0.accuracy * 100 },
                      color: Color(gray: 0.45), style: .dashed)
        }
        return chart
    }
}
