import Foundation
import StrataCore
import StrataNN
import StrataTrain
import XCTest
@testable import StrataTracking

/// The `Tracker` callback on a real `TrainingLoop`, a writer and a reader at once under WAL, and a writer
/// killed part way that loses nothing it committed.
final class TrackerTests: XCTestCase {
    private var file: TrackingStoreFile!

    override func setUp() { file = TrackingStoreFile() }
    override func tearDown() { file.remove() }

    /// A loop of `epochs` × 4 steps whose loss is 1 / step, driving `tracker`.
    private func loop(epochs: Int, tracker: Tracker) throws -> TrainingLoop {
        let model = try Model(inputShape: [2], seed: 1) { Dense(1) }
        let loop = TrainingLoop(model: model, optimizer: SGD(learningRate: 0), task: CountingTask(), epochs: epochs, stepsPerEpoch: 4)
        loop.callbacks = [tracker]
        return loop
    }

    func testATrainingLoopIsRecordedPerStepAndPerEpochThenFinished() throws {
        let store = try file.open()
        let folder = file.folder.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("abc".utf8).write(to: folder.appendingPathComponent("report.html"))
        let tracker = try Tracker(store: store, run: NewRun(name: "loop", params: ["batch_size": "4"], folder: folder.path),
                                  stepInterval: 2, flushInterval: 3)
        try loop(epochs: 2, tracker: tracker).run()
        let details = try store.details(of: tracker.runID)
        XCTAssertEqual(details.run.status, .finished)
        XCTAssertNotNil(details.run.ended)
        // Batch means at steps 2, 4, 6, 8; the epoch means at steps 4 and 8 replace those.
        let loss = try store.points(runID: tracker.runID, name: "loss")
        XCTAssertEqual(loss.map(\.step), [2, 4, 6, 8])
        XCTAssertEqual(loss.map(\.epoch), [1, 1, 2, 2])
        XCTAssertEqual(loss[1].value, (1 + 1.0 / 2 + 1.0 / 3 + 1.0 / 4) / 4, accuracy: 1e-6)   // Float losses
        XCTAssertEqual(details.metrics["loss"]?.latestStep, 8)
        XCTAssertEqual(details.metrics["loss"]?.best, loss[3].value)
        XCTAssertEqual(details.artifacts, [Artifact(path: "report.html", kind: "report", bytes: 3,
                                                    sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")])
        XCTAssertNil(tracker.writeError)
    }

    func testARunStoppedPartWayIsMarkedKilled() throws {
        let store = try file.open()
        let tracker = try Tracker(store: store, run: NewRun(name: "stopped"))
        try loop(epochs: 3, tracker: tracker).run(stopAfter: 1)
        XCTAssertEqual(try store.run(String(tracker.runID)).status, .killed)
    }

    /// The heartbeat must not keep the store alive: once the command lets go of its tracker and store, the
    /// store closes at once (and SQLite folds the write-ahead log back), not when the cancelled timer's handler
    /// happens to be released on its queue, which may be after the process has exited.
    func testLettingGoOfTheTrackerAndStoreClosesTheStoreAtOnce() throws {
        weak var released: RunStore?
        do {
            let store = try file.open()
            released = store
            let tracker = try Tracker(store: store, run: NewRun(name: "closed"), heartbeatInterval: 0.01)
            Thread.sleep(forTimeInterval: 0.05)   // a few heartbeats
            tracker.finish()
        }
        XCTAssertNil(released, "the store outlived its tracker")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path + "-wal"))
    }

    func testAWriterAndAReaderAtOnceUnderWAL() throws {
        let writer = try file.open(), reader = try file.open()
        let id = try writer.beginRun(NewRun(name: "concurrent"))
        let batches = 200
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var writeError: (any Error)?
        DispatchQueue.global().async {
            do {
                for batch in 0..<batches {
                    try writer.append((0..<5).map { MetricPoint(name: "loss", step: batch * 5 + $0, value: Double(batch)) }, runID: id)
                }
            } catch {
                writeError = error
            }
            done.signal()
        }
        var counts: [Int] = []
        while done.wait(timeout: .now()) == .timedOut {
            let points = try reader.points(runID: id, name: "loss")
            XCTAssertEqual(points.count % 5, 0, "a reader saw half a transaction")
            counts.append(points.count)
        }
        XCTAssertNil(writeError)
        XCTAssertGreaterThan(counts.count, 1, "the reader never read while the writer wrote")
        XCTAssertEqual(counts, counts.sorted(), "the points a reader sees only grow")
        XCTAssertEqual(try reader.points(runID: id).count, batches * 5)
    }

    func testAWriterKilledMidRunLosesNothingItCommitted() throws {
        let writer = Process()
        writer.executableURL = Self.writerExecutable
        writer.arguments = [file.path]
        let output = Pipe()
        writer.standardOutput = output
        try writer.run()
        // Read "committed N" lines until the writer has committed 30 transactions, then kill it.
        var text = "", committed = 0
        let reading = output.fileHandleForReading
        while committed < 30 {
            let data = reading.availableData
            guard !data.isEmpty else { break }
            text += String(decoding: data, as: UTF8.self)
            committed = text.split(separator: "\n").compactMap { Int($0.split(separator: " ").last ?? "") }.max() ?? 0
        }
        kill(writer.processIdentifier, SIGKILL)
        writer.waitUntilExit()
        XCTAssertEqual(writer.terminationReason, .uncaughtSignal)
        XCTAssertGreaterThanOrEqual(committed, 30, text)

        let store = try file.open()
        let run = try XCTUnwrap(store.runs().first)
        let points = try store.points(runID: run.id, name: "loss")
        XCTAssertGreaterThanOrEqual(points.count, committed * 10, "committed transactions were lost")
        XCTAssertEqual(points.count % 10, 0, "a transaction was half written")
        XCTAssertEqual(points.map(\.step), Array(1...points.count))
        XCTAssertEqual(run.status, .running)
        XCTAssertEqual(run.displayedStatus(now: run.heartbeat + RunStore.staleHeartbeatSeconds + 1), "crashed")
        XCTAssertEqual(run.displayedStatus(now: run.heartbeat + 1), "running")
    }

    /// The `strata-tracking-writer` executable next to the test bundle.
    static var writerExecutable: URL {
        let bundle = Bundle(for: TrackerTests.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()]
        let folder = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("strata-tracking-writer").path) }
        return (folder ?? bundle).appendingPathComponent("strata-tracking-writer")
    }
}

/// A task whose loss at step s (1-based, over the run) is 1 / s, with no parameters to train.
private final class CountingTask: TrainingTask {
    private var step = 0
    private var sum = 0.0, count = 0

    func beginEpoch(state: TrainingState) throws { sum = 0; count = 0 }

    func loss(state: TrainingState) throws -> Tensor {
        step += 1
        return Tensor(shape: [], scalars: [Float(1.0 / Double(step))], requiresGrad: true)
    }

    func endStep(loss: Float, state: TrainingState) -> Logs {
        sum += Double(loss)
        count += 1
        var logs = Logs()
        logs["loss"] = sum / Double(count)
        return logs
    }

    func endEpoch(state: TrainingState) throws -> Logs {
        var logs = Logs()
        logs["loss"] = sum / Double(count)
        return logs
    }
}
