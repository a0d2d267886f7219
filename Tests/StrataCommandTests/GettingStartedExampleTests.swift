import Foundation
import StrataTrain
import XCTest

/// `getting-started` (Examples/GettingStarted/main.swift) run as a process, and the getting-started article of
/// the documentation (Sources/Strata/Strata.docc/GettingStarted.md) held to that same code.
final class GettingStartedExampleTests: XCTestCase {
    /// The repository's root folder.
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// On the synthetic MNIST: trains, prints its accuracy, writes a checkpoint that reloads to the same
    /// predictions, and an ONNX file that holds the weights.
    func testRunsOnSyntheticDigits() throws {
        let workspace = try CommandWorkspace("getting-started")
        defer { workspace.remove() }
        var runner = workspace.strata
        runner.environment["STRATA_DATA"] = workspace.data.path
        let lines = try runExample(runner)

        // The synthetic digits are easy (the class is where a bright square sits): 6 steps of Adam learn most.
        let accuracy = try XCTUnwrap(testAccuracy(in: lines), lines.joined(separator: "\n"))
        XCTAssertGreaterThan(accuracy, 0.5, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("same predictions: true"), lines.joined(separator: "\n"))

        let checkpoint = try Checkpoint.load(from: workspace.url("mnist-mlp.safetensors"))
        XCTAssertEqual(checkpoint.model.mapValues(\.shape), ["dense.kernel": [784, 128], "dense.bias": [128],
                                                             "dense_1.kernel": [128, 10], "dense_1.bias": [10]])
        XCTAssertNil(checkpoint.optimizerState)
        let onnxBytes = try Data(contentsOf: workspace.url("mnist-mlp.onnx")).count
        XCTAssertGreaterThan(onnxBytes, 4 * (784 * 128 + 128 + 128 * 10 + 10), "the ONNX file lacks the weights")
    }

    /// On the real MNIST (STRATA_DATA): two epochs reach the accuracy the article states (about 96%).
    func testReachesTheArticlesAccuracyOnMNIST() throws {
        guard let root = ProcessInfo.processInfo.environment["STRATA_DATA"], !root.isEmpty,
              FileManager.default.fileExists(atPath: URL(fileURLWithPath: root).appendingPathComponent("mnist").path)
        else { throw XCTSkip("STRATA_DATA does not hold mnist/; skipping") }
        let workspace = try CommandWorkspace("getting-started-mnist")
        defer { workspace.remove() }
        var runner = workspace.strata
        runner.environment["STRATA_DATA"] = root
        runner.environment["STRATA_THREADS"] = nil
        let lines = try runExample(runner)
        let accuracy = try XCTUnwrap(testAccuracy(in: lines), lines.joined(separator: "\n"))
        XCTAssertGreaterThan(accuracy, 0.94, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("same predictions: true"), lines.joined(separator: "\n"))
    }

    /// The article's last code block ("The whole program") is main.swift without its first comment line,
    /// and every other Swift block of the article is either a run of main.swift's lines or a manifest excerpt.
    func testArticleShowsTheExamplesCode() throws {
        let article = try String(contentsOf: repository.appendingPathComponent("Sources/Strata/Strata.docc/GettingStarted.md"),
                                 encoding: .utf8)
        let program = try String(contentsOf: repository.appendingPathComponent("Examples/GettingStarted/main.swift"),
                                 encoding: .utf8)
        var programLines = program.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init)
        while programLines.last == "" { programLines.removeLast() }
        let blocks = swiftBlocks(in: article)
        XCTAssertGreaterThanOrEqual(blocks.count, 2)
        XCTAssertEqual(blocks.last, programLines, "the article's whole program differs from main.swift")
        for block in blocks.dropLast() where !block.contains(where: { $0.contains(".package(") }) {
            XCTAssertTrue(contains(programLines, run: block),
                          "this block of the article is not in main.swift:\n\(block.joined(separator: "\n"))")
        }
    }

    /// Whether `lines` holds `run` as consecutive lines.
    private func contains(_ lines: [String], run: [String]) -> Bool {
        guard run.count <= lines.count else { return false }
        for start in 0...(lines.count - run.count) where Array(lines[start..<(start + run.count)]) == run {
            return true
        }
        return false
    }

    /// Runs `getting-started` with `runner`'s folder and environment, asserting success; its output's lines.
    private func runExample(_ runner: StrataProcess, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let executable = StrataProcess.executable.deletingLastPathComponent().appendingPathComponent("getting-started")
        XCTAssertTrue(FileManager.default.fileExists(atPath: executable.path), "no getting-started at \(executable.path)",
                      file: file, line: line)
        let (process, log) = try runner.launch([], executable: executable)
        process.waitUntilExit()
        let output = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, "getting-started failed:\n\(output)", file: file, line: line)
        return output.split(separator: "\n").map(String.init)
    }

    /// The value of the `test accuracy:` line.
    private func testAccuracy(in lines: [String]) -> Double? {
        let prefix = "test accuracy: "
        return lines.first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }

    /// The lines of every ```swift block of a Markdown text.
    private func swiftBlocks(in markdown: String) -> [[String]] {
        var blocks: [[String]] = [], current: [String]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if current == nil, line == "```swift" {
                current = []
            } else if let block = current, line == "```" {
                blocks.append(block)
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }
}
