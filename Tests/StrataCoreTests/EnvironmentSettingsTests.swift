import StrataCore
import XCTest

/// `EnvironmentSettings.check`: every tuning variable's accepted values pass, and a value the library
/// would otherwise ignore or misread is an error that names the variable.
final class EnvironmentSettingsTests: XCTestCase {
    func testAcceptedValuesAndAnEmptyEnvironmentPass() throws {
        try EnvironmentSettings.check([:])
        try EnvironmentSettings.check([
            "STRATA_THREADS": "2", "STRATA_GEMM": "OpenBLAS", "STRATA_BLOCKED_TRAINING": "0",
            "STRATA_INFERENCE_ACTIVATION_BYTES": "0", "STRATA_BF16_NORMALIZATION": "f32", "STRATA_POOL_MB": "0",
            "STRATA_POOL_TRIM_PERIOD": "100", "STRATA_WAIT_POLICY": "1000", "STRATA_DATA": "anything",
            "STRATA_INFERENCE_SHARDS": "0",
        ])
    }

    func testEachUnreadableValueNamesItsVariable() {
        let bad = ["STRATA_THREADS": "two", "STRATA_GEMM": "mkl", "STRATA_BLOCKED_TRAINING": "yes",
                   "STRATA_INFERENCE_ACTIVATION_BYTES": "4MB", "STRATA_BF16_NORMALIZATION": "fp32",
                   "STRATA_POOL_MB": "-1", "STRATA_POOL_TRIM_PERIOD": "often", "STRATA_INFERENCE_SHARDS": "off"]
        XCTAssertEqual(Set(bad.keys), Set(EnvironmentSettings.settings.map(\.name)), "a test value for every setting")
        for (name, value) in bad {
            XCTAssertThrowsError(try EnvironmentSettings.check([name: value]), name) { error in
                let setting = error as? EnvironmentSettingError
                XCTAssertEqual(setting?.name, name)
                XCTAssertEqual(setting?.value, value)
                XCTAssertTrue("\(error)".hasPrefix("\(name)='\(value)' is not valid: use "), "\(error)")
            }
        }
        XCTAssertThrowsError(try EnvironmentSettings.check(["STRATA_THREADS": "0"]), "no threads")
    }

    func testAnUnknownWaitPolicyIsTheWaitPolicysError() {
        XCTAssertThrowsError(try EnvironmentSettings.check(["STRATA_WAIT_POLICY": "fast"])) { error in
            XCTAssertTrue(error is WaitPolicyError, "\(error)")
        }
    }
}
