// LeakSanitizer's switch for the test process (read only in a `--sanitize=address` build).
//
// XCTest on Linux keeps every test case in a reference cycle with its run (`XCTestCase.testRun` and
// `XCTestRun.test`), so at exit LeakSanitizer reports each test case, its suite runs and everything a
// test case holds as leaked: thousands of reports that are not Strata's. The test process therefore
// turns its exit-time leak check off; each `strata` process the tests start keeps it, so every command
// is still checked for leaks end to end (see scripts/sanitize and docs/reliability.md). Memory errors
// (overflows, use after free) are reported in the test process as before.

/// Tells LeakSanitizer not to check this process for leaks at exit (1: off).
@_cdecl("__lsan_is_turned_off")
public func leakSanitizerIsTurnedOff() -> Int32 {
    1
}
