import Foundation
import XCTest

/// `strata serve` runs the `strata-serve` beside `strata`, else the one built in the checkout's `Dashboard`
/// package, with the same arguments; with neither it fails saying where it looked and how to build it.
/// A small shell script stands in for the dashboard (the real one is tested in Dashboard/'s own package).
final class ServeLauncherTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-serve-launcher-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func testRunsTheStrataServeBesideItWithTheSameArguments() throws {
        let bin = try folder("bin")
        let strata = try placeStrata(in: bin)
        try writeFakeServer(at: bin.appendingPathComponent("strata-serve"), saying: "beside")
        let outcome = try StrataProcess(folder: root).run(["serve", "--port", "0", "--db", "runs/x.sqlite"], executable: strata)
        XCTAssertEqual(outcome.status, 0, outcome.error)
        XCTAssertEqual(outcome.output, "beside --port 0 --db runs/x.sqlite\n")
    }

    func testRunsTheDashboardPackagesBuildInTheCheckout() throws {
        let checkout = try folder("checkout")
        let strata = try placeStrata(in: try folder("checkout/.build/x86_64-unknown-linux-gnu/release"))
        try Data("// the dashboard's package\n".utf8).write(to: checkout.appendingPathComponent("Dashboard/Package.swift", isDirectory: false),
                                                          options: .atomic, creatingFolders: true)
        try writeFakeServer(at: try folder("checkout/Dashboard/.build/debug").appendingPathComponent("strata-serve"), saying: "debug")
        var outcome = try StrataProcess(folder: root).run(["serve", "--port", "7"], executable: strata)
        XCTAssertEqual(outcome.output, "debug --port 7\n", outcome.error)

        // The same configuration as strata's (release here) comes first.
        try writeFakeServer(at: try folder("checkout/Dashboard/.build/release").appendingPathComponent("strata-serve"), saying: "release")
        outcome = try StrataProcess(folder: root).run(["serve"], executable: strata)
        XCTAssertEqual(outcome.output, "release\n", outcome.error)
    }

    func testSaysWhereItLookedAndHowToBuildTheDashboard() throws {
        let strata = try placeStrata(in: try folder("alone"))
        let outcome = try StrataProcess(folder: root).run(["serve"], executable: strata)
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.error.contains("swift build -c release --package-path Dashboard"), outcome.error)
        XCTAssertTrue(outcome.error.contains(root.appendingPathComponent("alone/strata-serve").resolvingSymlinksInPath().path), outcome.error)
        XCTAssertEqual(outcome.output, "")
    }

    // MARK: - Helpers

    /// `path` under the test's folder, made with its parents.
    private func folder(_ path: String) throws -> URL {
        let url = root.appendingPathComponent(path, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The built `strata` hard-linked (or copied) into `folder`: `strata serve` looks beside its own path.
    private func placeStrata(in folder: URL) throws -> URL {
        let target = folder.appendingPathComponent("strata")
        do {
            try FileManager.default.linkItem(at: StrataProcess.executable, to: target)
        } catch {
            try FileManager.default.copyItem(at: StrataProcess.executable, to: target)
        }
        return target
    }

    /// A shell script at `url` that prints `word` and its arguments on one line.
    private func writeFakeServer(at url: URL, saying word: String) throws {
        try Data("#!/bin/sh\necho \(word) \"$@\"\n".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
}

private extension Data {
    /// Writes the data to `url`, making its folder first when `creatingFolders`.
    func write(to url: URL, options: Data.WritingOptions, creatingFolders: Bool) throws {
        if creatingFolders {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        try write(to: url, options: options)
    }
}
