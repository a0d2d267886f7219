import Foundation
import XCTest

/// A temporary folder holding the synthetic MNIST (`data/mnist/`), where the tests run `strata` and keep
/// its run folders; removed by `remove()`.
final class CommandWorkspace {
    /// The folder.
    let root: URL
    /// The folder given to `--data-dir` (it holds `mnist/`).
    let data: URL
    /// The `strata` runner, working in `root`.
    let strata: StrataProcess

    /// A new workspace with the synthetic MNIST written into it.
    init(_ label: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(label)-\(UUID().uuidString.prefix(8))")
        data = root.appendingPathComponent("data")
        try SyntheticDigits.writeMNIST(under: data)
        strata = StrataProcess(folder: root)
    }

    /// The absolute path of `name` inside the workspace.
    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// The URL of `name` inside the workspace.
    func url(_ name: String) -> URL { root.appendingPathComponent(name) }

    /// The options of a tiny, quick training on the synthetic MNIST: mlp-small, batches of 32, one thread.
    func tinyTraining(epochs: Int = 1) -> [String] {
        ["--dataset", "mnist", "--data-dir", data.path, "--model", "mlp-small", "--epochs", String(epochs),
         "--batch-size", "32", "--threads", "1"]
    }

    /// Runs `strata train` with the tiny options, `extra` and `--out <out>`, asserting success.
    @discardableResult
    func train(_ out: String, epochs: Int = 1, _ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line)
        throws -> StrataProcess.Outcome {
        try strata.succeed(["train"] + tinyTraining(epochs: epochs) + extra + ["--out", path(out)], file: file, line: line)
    }

    /// Deletes the folder and everything in it.
    func remove() { try? FileManager.default.removeItem(at: root) }
}
