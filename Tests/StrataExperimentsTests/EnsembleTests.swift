import StrataData
@testable import StrataExperiments
import XCTest

/// `Ensemble.combine`: the vote, the average, the growth member by member and the images every member misses.
final class EnsembleTests: XCTestCase {
    /// An evaluation of three classes that puts `confidence` on `answers[i]` for example i and splits the rest.
    private func member(_ answers: [Int], confidence: Float = 0.8, labels: [Int]) -> ClassifierEvaluation {
        var probabilities: [Float] = []
        for answer in answers {
            probabilities += (0..<3).map { $0 == answer ? confidence : (1 - confidence) / 2 }
        }
        return ClassifierEvaluation(probabilities: probabilities, labels: labels, classCount: 3, loss: 0)
    }

    func testVoteAverageGrowthAndMissedByAll() {
        let labels = [0, 1, 2, 0]
        let a = member([0, 1, 1, 1], labels: labels)                  // 2 of 4 right
        let b = member([0, 2, 2, 1], labels: labels)                  // 2 of 4
        let c = member([0, 1, 2, 2], confidence: 0.4, labels: labels) // 3 of 4, unsure
        let result = Ensemble.combine([a, b, c], members: ["a", "b", "c"], labels: labels)

        XCTAssertEqual(result.growth.map(\.members), [1, 2, 3])
        XCTAssertEqual(result.growth[0].voteAccuracy, 0.5)
        XCTAssertEqual(result.growth[0].averageAccuracy, 0.5)
        // Two members: example 1 and 2 tie 1–1; the tie goes to the higher mean probability, the same
        // (0.8 each) for classes 1 and 2, so to the first of them (class 1) both for the vote and the average.
        XCTAssertEqual(result.growth[1].voteAccuracy, 0.5)
        // Three members: 0 ✓, 1 → class 1 (a, c) ✓, 2 → class 2 (b, c) ✓, 3 → class 1 (a, b) ✗.
        XCTAssertEqual(result.vote.predictions, [0, 1, 2, 1])
        XCTAssertEqual(result.vote.accuracy, 0.75)
        XCTAssertEqual(result.growth[2].voteAccuracy, 0.75)
        // The average at example 1: class 1 (0.8 + 0.1 + 0.4) / 3 against class 2 (0.1 + 0.8 + 0.3) / 3.
        XCTAssertEqual(result.average.predictions[1], 1)
        XCTAssertEqual(result.growth[2].averageAccuracy, result.average.accuracy)
        // Only example 3 is wrong for all three.
        XCTAssertEqual(result.missedByAll, [3])
    }

    func testGrowthChartAndMissedGridFollowTheResult() throws {
        let labels = [0, 1]
        let result = Ensemble.combine([member([1, 1], labels: labels), member([2, 1], labels: labels)],
                                      members: ["a", "b"], labels: labels)
        XCTAssertEqual(result.missedByAll, [0])
        let chart = Ensemble.growthChart(result)
        XCTAssertEqual(chart.series.map(\.name), ["majority vote", "averaged probabilities"])
        XCTAssertEqual(chart.series[0].x, [1, 2])
        XCTAssertEqual(chart.series[0].y, result.growth.map { $0.voteAccuracy * 100 })

        let pixels = [UInt8](repeating: 0, count: 4) + [UInt8](repeating: 255, count: 4)   // two 2×2 images
        let test = try Dataset(name: "tiny", images: pixels, labels: labels, height: 2, width: 2, classNames: ["0", "1", "2"])
        let grid = Ensemble.missedByAllGrid(result, test: test)
        XCTAssertEqual(grid.cells.count, 1)
        XCTAssertEqual(grid.cells[0].caption, "0: 12")
        XCTAssertEqual(grid.cells[0].pixels, [0, 0, 0, 0])
    }
}
