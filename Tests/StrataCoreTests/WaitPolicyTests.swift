import StrataCore
import XCTest

/// `STRATA_WAIT_POLICY` and the variables the relaunch sets from it. (That libgomp reads them is
/// checked on the built `strata` in `CommandErrorTests.testStrataRunsWithThePassiveWaitPolicy`.)
final class WaitPolicyTests: XCTestCase {
    func testModeFromTheVariable() throws {
        XCTAssertEqual(try WaitPolicy.mode(in: [:]), WaitPolicy.defaultMode)
        XCTAssertEqual(try WaitPolicy.mode(in: ["STRATA_WAIT_POLICY": "passive"]), .passive)
        XCTAssertEqual(try WaitPolicy.mode(in: ["STRATA_WAIT_POLICY": "PASSIVE"]), .passive)
        XCTAssertEqual(try WaitPolicy.mode(in: ["STRATA_WAIT_POLICY": "spin"]), .spin)
        XCTAssertEqual(try WaitPolicy.mode(in: ["STRATA_WAIT_POLICY": "1000"]), .bounded(spins: 1000))
        XCTAssertEqual(try WaitPolicy.mode(in: ["STRATA_WAIT_POLICY": "0"]), .passive)
    }

    func testUnknownModeNamesTheVariableAndValue() {
        for bad in ["active", "-5", "1e3", ""] {
            XCTAssertThrowsError(try WaitPolicy.mode(in: ["STRATA_WAIT_POLICY": bad]), bad) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.contains("STRATA_WAIT_POLICY='\(bad)'") && message.contains("passive, spin"), message)
            }
        }
    }

    func testVariablesOfEachMode() {
        XCTAssertEqual(WaitPolicy.variables(for: .passive), ["OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "4"])
        XCTAssertEqual(WaitPolicy.variables(for: .bounded(spins: 300)),
                       ["OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "300", "OPENBLAS_THREAD_TIMEOUT": "4"])
        XCTAssertEqual(WaitPolicy.variables(for: .spin), [:])
    }

    /// Passive waiting keeps small oneDNN steps on one thread; threads that poll take every step on all.
    func testSmallWorkThresholdFollowsTheMode() {
        XCTAssertEqual(ThreadPolicy.defaultParallelMultiplyAdds(for: .passive), 1 << 22)
        XCTAssertEqual(ThreadPolicy.defaultParallelMultiplyAdds(for: .bounded(spins: 10_000)), 0)
        XCTAssertEqual(ThreadPolicy.defaultParallelMultiplyAdds(for: .spin), 0)
    }

    func testRelaunchKeepsWhatTheUserSet() throws {
        // A user's GOMP_SPINCOUNT or thread timeout is kept; only the rest is added.
        XCTAssertEqual(try WaitPolicy.missingVariables(in: ["STRATA_WAIT_POLICY": "300", "GOMP_SPINCOUNT": "50"]),
                       ["OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "4"])
        // A user's OMP_WAIT_POLICY=ACTIVE must not be overridden by a spin count (GOMP_SPINCOUNT wins in libgomp).
        XCTAssertEqual(try WaitPolicy.missingVariables(in: ["STRATA_WAIT_POLICY": "300", "OMP_WAIT_POLICY": "ACTIVE"]),
                       ["OPENBLAS_THREAD_TIMEOUT": "4"])
        XCTAssertEqual(try WaitPolicy.missingVariables(in: ["STRATA_WAIT_POLICY": "spin"]), [:])
    }

    func testNothingToDoOnceRelaunched() throws {
        // The relaunched process does not parse the variable again, so it cannot fail there.
        XCTAssertEqual(try WaitPolicy.missingVariables(in: [WaitPolicy.marker: "1", "STRATA_WAIT_POLICY": "bogus"]), [:])
        XCTAssertThrowsError(try WaitPolicy.missingVariables(in: ["STRATA_WAIT_POLICY": "bogus"]))
    }
}
