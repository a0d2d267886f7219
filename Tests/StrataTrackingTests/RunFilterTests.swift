import XCTest
@testable import StrataTracking

/// The `--where` language: what good expressions parse to, and errors that name the token at fault.
final class RunFilterTests: XCTestCase {
    func testGoodExpressionsParseWithAndBindingTighterThanOr() throws {
        XCTAssertEqual(try RunFilter(parsing: "params.learning_rate < 0.01 and metrics.val_accuracy > 0.9"),
                       .and(.comparison(.param("learning_rate"), .less, .number(0.01)),
                            .comparison(.bestMetric("val_accuracy"), .greater, .number(0.9))))
        XCTAssertEqual(try RunFilter(parsing: "status = crashed or params.model == 'cnn' and latest.loss<=1e-3"),
                       .or(.comparison(.column("status"), .equal, .text("crashed")),
                           .and(.comparison(.param("model"), .equal, .text("cnn")),
                                .comparison(.latestMetric("loss"), .lessOrEqual, .number(0.001)))))
        XCTAssertEqual(try RunFilter(parsing: "NOT (params.a != \"x y\" OR id >= -2)"),
                       .not(.or(.comparison(.param("a"), .notEqual, .text("x y")),
                                .comparison(.column("id"), .greaterOrEqual, .number(-2)))))
        XCTAssertEqual(try RunFilter(parsing: "params.model_options.dropout<>0.5"),
                       .comparison(.param("model_options.dropout"), .notEqual, .number(0.5)))
    }

    func testBadExpressionsNameTheTokenAtFault() {
        let cases: [(String, String)] = [
            ("", "the filter is empty"),
            ("params.lr <", "at the end: expected a value after '<'"),
            ("learning_rate < 0.1", "at 'learning_rate' (character 1): not a field"),
            ("params.lr >> 1", "at '>>' (character 11): not a comparison"),
            ("params.lr 0.1", "at '0.1' (character 11): expected a comparison"),
            ("(params.lr < 1", "at the end: expected ')' to close the '(' at character 1"),
            ("params.lr < 1 metrics.acc > 2", "at 'metrics.acc' (character 15): expected 'and', 'or' or the end"),
            ("params.model = 'cnn", "the string 'cnn is not closed"),
            ("params.lr ~ 1", "at '~' (character 11): unexpected character"),
            ("params.lr < 1e", "at '1e' (character 13): not a number"),
            ("params.lr < and", "at 'and' (character 13): expected a value"),
            ("params. < 1", "at 'params.' (character 1): not a field"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try RunFilter(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains(message), "\(text): expected '\(message)', got '\(error)'")
            }
        }
    }

    func testSortKeys() throws {
        XCTAssertEqual(try RunSort(parsing: "-metrics.val_accuracy"), RunSort(field: .bestMetric("val_accuracy"), descending: true))
        XCTAssertEqual(try RunSort(parsing: "started"), RunSort(field: .column("started"), descending: false))
        XCTAssertThrowsError(try RunSort(parsing: "-accuracy")) { XCTAssertTrue("\($0)".contains("'accuracy' is not a field")) }
    }
}
