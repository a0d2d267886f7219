import Foundation
import StrataData
import StrataPlot

/// Several trained classifiers voting (`strata ensemble`): by majority vote and by averaged
/// probabilities, how accuracy grows member by member, and the test images every member gets wrong.
public enum Ensemble {
    /// The ensemble of the first `members` runs (in the order given).
    public struct Step: Sendable, Equatable, Codable {
        /// How many members, the first ones given.
        public let members: Int
        /// Their majority vote's accuracy.
        public let voteAccuracy: Double
        /// Their averaged probabilities' accuracy.
        public let averageAccuracy: Double
    }

    /// Each member's evaluation and the ensemble's, by majority vote and by averaged probabilities.
    public struct Result: Sendable {
        /// The members' run folders.
        public let members: [String]
        /// Each member's evaluation on the test set.
        public let memberEvaluations: [ClassifierEvaluation]
        /// The majority vote (ties go to the class with the highest summed probability).
        public let vote: ClassifierEvaluation
        /// The class with the highest mean probability.
        public let average: ClassifierEvaluation
        /// The ensembles of the first 1, 2, … members, in the order given.
        public let growth: [Step]
        /// The test images (indices, ascending) that every member classifies wrong.
        public let missedByAll: [Int]
    }

    /// Evaluates every run in `paths` on `data`'s test set with `weights`, averaging each member's
    /// probabilities over `testTimeAugmentation` views (nil: each run's own `--tta`, else 1), and combines them.
    public static func run(_ paths: [String], data: ExperimentData, weights: TrainedClassifier.Weights = .final,
                           testTimeAugmentation: Int? = nil) throws -> Result {
        guard paths.count >= 2 else { throw ExperimentError("an ensemble needs at least two run folders, got \(paths.count)") }
        let test = data.test
        let evaluations = try paths.map { path -> ClassifierEvaluation in
            let member = try TrainedClassifier(path, for: test, weights: weights)
            let views = testTimeAugmentation ?? member.options.testTimeAugmentation ?? 1
            return try ClassifierEvaluation.run(member.model, on: test, augmentation: member.augmentation,
                                                testTimeAugmentation: views)
        }
        return combine(evaluations, members: paths, labels: test.labels)
    }

    /// Combines members' evaluations of the same examples with `labels`.
    public static func combine(_ evaluations: [ClassifierEvaluation], members: [String], labels: [Int]) -> Result {
        precondition(!evaluations.isEmpty && evaluations.count == members.count,
                     "Ensemble.combine: \(evaluations.count) evaluations for \(members.count) members")
        var growth: [Step] = []
        var combined = (vote: evaluations[0], average: evaluations[0])
        for count in 1...evaluations.count {
            combined = combination(Array(evaluations.prefix(count)), labels: labels)
            growth.append(Step(members: count, voteAccuracy: combined.vote.accuracy,
                               averageAccuracy: combined.average.accuracy))
        }
        let missed = labels.indices.filter { i in evaluations.allSatisfy { $0.predictions[i] != labels[i] } }
        return Result(members: members, memberEvaluations: evaluations, vote: combined.vote, average: combined.average,
                      growth: growth, missedByAll: missed)
    }

    /// The majority vote and the averaged probabilities of `evaluations`.
    private static func combination(_ evaluations: [ClassifierEvaluation], labels: [Int])
        -> (vote: ClassifierEvaluation, average: ClassifierEvaluation) {
        let classes = evaluations[0].classCount, n = labels.count
        var summed = [Float](repeating: 0, count: n * classes)
        var votes = [Float](repeating: 0, count: n * classes)
        for evaluation in evaluations {
            for i in 0..<(n * classes) { summed[i] += evaluation.probabilities[i] }
            for (i, predicted) in evaluation.predictions.enumerated() where predicted >= 0 { votes[i * classes + predicted] += 1 }
        }
        let count = Float(evaluations.count)
        let mean = summed.map { $0 / count }
        // A vote counts 1; the mean probability (< 1) only breaks ties between equally voted classes.
        let voteScores = zip(votes, mean).map { $0 + $1 / (count + 1) }
        let averageLoss = -zip(0..<n, labels).reduce(0.0) { $0 + Double(log(max(mean[$1.0 * classes + $1.1], 1e-12))) } / Double(n)
        return (ClassifierEvaluation(probabilities: voteScores, labels: labels, classCount: classes, loss: .nan),
                ClassifierEvaluation(probabilities: mean, labels: labels, classCount: classes, loss: averageLoss))
    }

    /// The accuracy of the first 1, 2, … members, by vote and by average, against the number of members.
    public static func growthChart(_ result: Result) -> LineChart {
        var chart = LineChart(title: "Ensemble accuracy by number of members", xLabel: "members", yLabel: "test accuracy (%)")
        let x = result.growth.map { Double($0.members) }
        chart.add(series: "majority vote", x: x, y: result.growth.map { $0.voteAccuracy * 100 })
        chart.add(series: "averaged probabilities", x: x, y: result.growth.map { $0.averageAccuracy * 100 })
        return chart
    }

    /// The test images every member gets wrong, captioned with the true class and each member's answer.
    public static func missedByAllGrid(_ result: Result, test: Dataset) -> ImageGrid {
        var grid = ImageGrid(title: "Missed by every member (true: members' answers)", columns: 8)
        for i in result.missedByAll {
            let pixels = Array(test.image(at: i).prefix(test.height * test.width))
            let answers = result.memberEvaluations.map { $0.predictions[i] < 0 ? "?" : String($0.predictions[i]) }
            grid.add(image: pixels, width: test.width, height: test.height,
                     caption: "\(test.labels[i]): \(answers.joined())")
        }
        return grid
    }
}
