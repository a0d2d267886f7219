import Foundation
import StrataExperiments
import XCTest

/// `RunMetrics.classScores`: per-class precision and recall on a confusion matrix worked out by hand.
final class ClassScoresTests: XCTestCase {
    func testPrecisionAndRecallOfAConfusionMatrixWorkedOutByHand() {
        // Rows: the true class; columns: the predicted class.
        //            cat dog fox owl
        //   cat     [ 6,  2,  0,  0]   8 cats: 6 found            recall 6/8
        //   dog     [ 1,  3,  0,  1]   5 dogs: 3 found            recall 3/5
        //   fox     [ 3,  1,  0,  0]   4 foxes, none predicted    recall 0, precision 0 (nothing predicted)
        //   owl     [ 0,  0,  0,  0]   no owls; 1 predicted       recall 0 (no support), precision 0/1
        // Predicted as cat: 6 + 1 + 3 = 10, so precision 6/10; as dog: 2 + 3 + 1 = 6, so 3/6.
        let confusion = [[6, 2, 0, 0], [1, 3, 0, 1], [3, 1, 0, 0], [0, 0, 0, 0]]
        let scores = RunMetrics.classScores(confusion: confusion, classNames: ["cat", "dog", "fox", "owl"])
        XCTAssertEqual(scores.map(\.name), ["cat", "dog", "fox", "owl"])
        XCTAssertEqual(scores.map(\.precision), [0.6, 0.5, 0, 0])
        XCTAssertEqual(scores.map(\.recall), [0.75, 0.6, 0, 0])
        XCTAssertEqual(scores.map(\.support), [8, 5, 4, 0])
    }

    func testPerfectAndMissingNames() {
        // A diagonal matrix: every class has precision and recall 1; classes past the names are numbered.
        let scores = RunMetrics.classScores(confusion: [[2, 0, 0], [0, 7, 0], [0, 0, 1]], classNames: ["zero"])
        XCTAssertEqual(scores.map(\.name), ["zero", "1", "2"])
        XCTAssertEqual(scores.map(\.precision), [1, 1, 1])
        XCTAssertEqual(scores.map(\.recall), [1, 1, 1])
        XCTAssertEqual(scores.map(\.support), [2, 7, 1])
    }
}
