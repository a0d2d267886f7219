import Foundation
import XCTest

/// `scripts/reproduce-results`: the rows file agrees with docs/results.md, and the script's comparison and
/// `--update` work, run against a tiny rows file, document and a stand-in `strata` that writes a chosen
/// accuracy (so no training runs).
final class ReproduceResultsScriptTests: XCTestCase {
    /// The repository's root folder.
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// A temporary folder for the tiny files.
    var folder: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/jq") || which("jq") else {
            throw XCTSkip("jq is not installed (scripts/setup installs it)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("reproduce-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("bin"), withIntermediateDirectories: true)
        // The stand-in strata: writes metrics.json with FAKE_ACCURACY into the folder after --out (its last argument).
        let fake = "#!/usr/bin/env bash\nout=\"${@: -1}\"; mkdir -p \"$out\"\n"
            + "echo \"{\\\"testAccuracy\\\": $FAKE_ACCURACY}\" > \"$out/metrics.json\"\n"
        let fakeURL = folder.appendingPathComponent("bin/strata")
        try fake.write(to: fakeURL, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fakeURL.path)
        let header = "# a tiny rows file\nrow\tfigure\tquick\tseconds\tbuild\tfile\tvalue\tformat\texpected\ttolerance\tanchor\tcommand\n"
        let row = "tiny\ttest accuracy\tyes\t1\tabc1234\tmetrics.json\t.testAccuracy*100\t%.2f%%\t96.78%\texact\t`--model tiny`\tstrata train --model tiny\n"
        try (header + row).write(to: folder.appendingPathComponent("rows.tsv"), atomically: true, encoding: .utf8)
        try document(showing: "96.78%").write(to: folder.appendingPathComponent("results.md"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// A results document whose one table row shows `figure` measured with build abc1234.
    func document(showing figure: String) -> String {
        "# Results\n\n| model | command | test accuracy | build |\n| --- | --- | --- | --- |\n| tiny | `--model tiny` | **\(figure)** | abc1234 |\n"
    }

    func testRowsFileAgreesWithResultsDocument() throws {
        let outcome = try script(["--check"], tiny: false)
        XCTAssertEqual(outcome.status, 0, outcome.error)
        XCTAssertTrue(outcome.output.contains("agree"), outcome.output)
    }

    func testSameFigurePasses() throws {
        let outcome = try script(["--quick"], accuracy: "0.9678")
        XCTAssertEqual(outcome.status, 0, outcome.error)
        XCTAssertTrue(outcome.output.contains("every figure reproduced"), outcome.output)
    }

    func testChangedFigureFailsNamingRowAndBothValues() throws {
        let outcome = try script(["--row", "tiny"], accuracy: "0.9677")
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.error.contains("row tiny, test accuracy changed: 96.78% in"), outcome.error)
        XCTAssertTrue(outcome.error.contains("96.77% now"), outcome.error)
    }

    func testToleranceAcceptsASmallDifference() throws {
        let rows = folder.appendingPathComponent("rows.tsv")
        try String(contentsOf: rows, encoding: .utf8).replacingOccurrences(of: "\texact\t", with: "\t0.02\t")
            .write(to: rows, atomically: true, encoding: .utf8)
        XCTAssertEqual(try script(["--quick"], accuracy: "0.9677").status, 0)
        XCTAssertEqual(try script(["--quick"], accuracy: "0.9675").status, 1)
    }

    func testUpdateRewritesFigureAndBuildInBothFiles() throws {
        let outcome = try script(["--quick", "--update"], accuracy: "0.9677")
        XCTAssertEqual(outcome.status, 0, outcome.error)
        let rows = try String(contentsOf: folder.appendingPathComponent("rows.tsv"), encoding: .utf8)
        let document = try String(contentsOf: folder.appendingPathComponent("results.md"), encoding: .utf8)
        let fields = try XCTUnwrap(rows.split(separator: "\n").last).split(separator: "\t", omittingEmptySubsequences: false)
        XCTAssertEqual(fields[8], "96.77%")
        XCTAssertNotEqual(fields[4], "abc1234")
        XCTAssertTrue(document.contains("| **96.77%** | \(fields[4]) |"), document)
        XCTAssertEqual(try script(["--check"]).status, 0)
        XCTAssertEqual(try script(["--quick"], accuracy: "0.9677").status, 0)
    }

    func testCheckNamesAFigureMissingFromTheDocument() throws {
        try document(showing: "96.80%").write(to: folder.appendingPathComponent("results.md"), atomically: true, encoding: .utf8)
        let outcome = try script(["--check"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.error.contains("line 5 (row tiny, test accuracy) does not show '96.78%'"), outcome.error)
    }

    func testUnknownRowIsAUsageError() throws {
        let outcome = try script(["--row", "nonesuch"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.error.contains("no row 'nonesuch'"), outcome.error)
    }

    /// Runs the script with `arguments`: on the tiny files and the stand-in strata writing `accuracy`, or
    /// (`tiny: false`) on the repository's own rows file and docs/results.md.
    func script(_ arguments: [String], accuracy: String = "0.5", tiny: Bool = true) throws -> StrataProcess.Outcome {
        var environment = ProcessInfo.processInfo.environment
        if tiny {
            environment["STRATA_RESULTS_ROWS"] = folder.appendingPathComponent("rows.tsv").path
            environment["STRATA_RESULTS_DOC"] = folder.appendingPathComponent("results.md").path
            environment["STRATA_BIN"] = folder.appendingPathComponent("bin").path
            environment["STRATA_DATA"] = folder.path
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("mnist"), withIntermediateDirectories: true)
            environment["FAKE_ACCURACY"] = accuracy
        }
        let process = Process()
        process.executableURL = repository.appendingPathComponent("scripts/reproduce-results")
        process.arguments = arguments
        process.environment = environment
        let output = folder.appendingPathComponent("out-\(UUID().uuidString.prefix(6))")
        let error = folder.appendingPathComponent("err-\(UUID().uuidString.prefix(6))")
        try Data().write(to: output)
        try Data().write(to: error)
        let outputHandle = try FileHandle(forWritingTo: output), errorHandle = try FileHandle(forWritingTo: error)
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outputHandle.close()
        try errorHandle.close()
        return StrataProcess.Outcome(status: process.terminationStatus,
                                     output: try String(contentsOf: output, encoding: .utf8),
                                     error: try String(contentsOf: error, encoding: .utf8))
    }

    /// Whether `program` is on the PATH.
    func which(_ program: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
    }
}
