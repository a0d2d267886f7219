import Foundation
import DashboardTestSupport
import StrataTracking
import XCTest

/// A temporary store of five runs and the built `strata-serve` serving it on a free loopback port, for the
/// browser tests. Best validation accuracies differ, so every sort has one right order:
///
/// | id | name        | lr    | optimizer | batch_size | status   | loss steps | val_accuracy (best) |
/// |----|-------------|-------|-----------|------------|----------|------------|---------------------|
/// | 1  | `sgd-0.1`   | 0.1   | sgd       | 32         | finished | 1...50     | 0.70                |
/// | 2  | `adam-0.01` | 0.01  | adam      | 64         | finished | 1...50     | 0.90                |
/// | 3  | `adam-0.001`| 0.001 | adam      | 32         | finished | 1...50 (∞) | 0.85                |
/// | 4  | `live`      | 0.003 | sgd       | 64         | running  | 1...20     | 0.60                |
/// | 5  | `long`      | 0.03  | adam      | 128        | finished | 1...70000  | 0.80                |
final class DashboardBrowserFixture {
    /// The runs' best validation accuracies, by id.
    static let bestAccuracy: [Int: Double] = [1: 0.70, 2: 0.90, 3: 0.85, 4: 0.60, 5: 0.80]
    /// The runs' learning rates, by id.
    static let learningRate: [Int: Double] = [1: 0.1, 2: 0.01, 3: 0.001, 4: 0.003, 5: 0.03]
    /// The running run's id.
    static let liveRun: Int64 = 4
    /// The run whose last loss (step 50) overflowed to +infinity, which the API sends as null.
    static let divergedRun = 3
    /// The long run's id and length: past 2000 points its series comes downsampled, and its raw series with
    /// the raw curve drawn behind the smoothed one is more than V8 takes as a call's arguments (`Math.min(...xs)`).
    static let longRun: Int64 = 5, longSteps = 70_000

    /// The temporary folder holding the store.
    let folder: URL
    /// The store the test writes to (the server reads the same file).
    let store: RunStore
    /// The server's address, `http://127.0.0.1:PORT/`.
    private(set) var address: URL!
    private let server = Process()

    /// Fills the store, then starts `strata-serve --db STORE --port 0` and reads its `Serving` line.
    init() throws {
        let executable = StrataServeExecutable.url
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("no strata-serve beside the tests at \(executable.path)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-browser-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try RunStore(path: folder.appendingPathComponent("strata.sqlite").path)
        try fill()

        server.executableURL = executable
        server.arguments = ["--db", store.path, "--port", "0"]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        guard let line = StrataServeExecutable.firstLine(of: output.fileHandleForReading), line.hasPrefix("Serving "),
              let url = URL(string: String(line.dropFirst("Serving ".count))) else {
            stop()
            throw WebDriverError("strata-serve printed no 'Serving http://…' line")
        }
        address = url
        // Whatever else it prints is read and dropped, so a full pipe never blocks it.
        Thread.detachNewThread { _ = output.fileHandleForReading.readDataToEndOfFile() }
    }

    deinit { stop() }

    /// The address of `path` (with its query) on the server.
    func url(_ path: String) -> URL {
        URL(string: path, relativeTo: address)!.absoluteURL
    }

    /// Stops the server (SIGTERM, then waits) and removes the folder; later calls do nothing.
    func stop() {
        if server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Appends `count` more loss points to the running run after its last step; returns the new last step.
    @discardableResult
    func growLiveRun(by count: Int) throws -> Int {
        let last = try store.lastStep(of: Self.liveRun)
        try store.append((last + 1...last + count).map { MetricPoint(name: "loss", step: $0, epoch: 1, value: 1 / Double($0)) },
                         runID: Self.liveRun)
        return last + count
    }

    private func fill() throws {
        let start = Date().timeIntervalSince1970 - 600
        let runs: [(name: String, optimizer: String, batch: Int, steps: Int)] = [
            ("sgd-0.1", "sgd", 32, 50), ("adam-0.01", "adam", 64, 50), ("adam-0.001", "adam", 32, 50),
            ("live", "sgd", 64, 20), ("long", "adam", 128, Self.longSteps),
        ]
        for (index, run) in runs.enumerated() {
            let number = index + 1
            let lr = Self.learningRate[number]!, best = Self.bestAccuracy[number]!
            let id = try store.beginRun(NewRun(name: run.name, experiment: number == 5 ? "sweep" : "train",
                                               command: "strata train --lr \(lr)",
                                               params: ["lr": "\(lr)", "optimizer": run.optimizer, "batch_size": "\(run.batch)"]),
                                        started: start + Double(number))
            XCTAssertEqual(id, Int64(number))
            let loss: [MetricPoint] = (1...run.steps).map { step in
                let value = number == Self.divergedRun && step == run.steps ? Double.infinity : Self.loss(run: number, step: step)
                let epoch: Int = 1 + step * 5 / (run.steps + 1)
                return MetricPoint(name: "loss", step: step, epoch: epoch, wallTime: start + Double(step) / 10, value: value)
            }
            // Five evaluations climbing to the run's best.
            let evaluations: [MetricPoint] = (1...5).map { (k: Int) -> MetricPoint in
                let step: Int = run.steps * k / 5
                let value: Double = best - 0.05 * Double(5 - k)
                return MetricPoint(name: "val_accuracy", step: step, epoch: k, wallTime: start + Double(step) / 10, value: value)
            }
            try store.append(loss + evaluations, runID: id)
            if id != Self.liveRun { try store.finishRun(id, status: .finished, ended: start + 300) }
        }
    }

    /// Run `run`'s loss at `step`: falling as 1/√step, with a wave.
    static func loss(run: Int, step: Int) -> Double {
        let scale = 1 + Double(run) / 10
        return scale / Double(step).squareRoot() + 0.05 * sin(Double(step) / 7)
    }
}
