import Foundation
import StrataCore
import StrataExperiments
import XCTest

/// `--precision` in the training options: described, repeated in the command line, kept in
/// `options.json` for `--resume`, and resolved against the machine.
final class PrecisionOptionTests: XCTestCase {
    func testPrecisionIsDescribedAndKeptOnlyWhenSet() throws {
        var options = TrainingOptions()
        XCTAssertFalse(options.commandLine().contains("--precision"))
        XCTAssertNil(options.describedValues()["precision"])
        XCTAssertEqual(try options.resolvedPrecision(), .float32)
        options.precision = .bfloat16
        XCTAssertTrue(options.commandLine().hasSuffix("--batch-size 128 --precision bf16"), options.commandLine())
        XCTAssertEqual(options.describedValues()["precision"], "bf16")
        let decoded = try JSONDecoder().decode(TrainingOptions.self, from: JSONEncoder().encode(options))
        XCTAssertEqual(decoded.precision, .bfloat16)
        // An options.json written before the option existed trains in f32.
        let old = try JSONDecoder().decode(TrainingOptions.self, from: JSONEncoder().encode(TrainingOptions()))
        XCTAssertNil(old.precision)
    }

    func testPrecisionResolvesOnThisMachine() throws {
        var options = TrainingOptions()
        options.precision = .automatic
        XCTAssertEqual(try options.resolvedPrecision(), Precision.bfloat16IsNative ? .bfloat16 : .float32)
        options.precision = .bfloat16
        if Precision.bfloat16IsNative {
            XCTAssertEqual(try options.resolvedPrecision(), .bfloat16)
            XCTAssertNoThrow(try options.validate())
        } else {
            XCTAssertThrowsError(try options.validate()) { error in
                XCTAssertTrue(String(describing: error).contains("--precision bf16"), "\(error)")
            }
        }
    }
}
