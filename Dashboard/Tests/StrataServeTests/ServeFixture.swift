import Foundation
import Hummingbird
import StrataServe
import StrataTracking
import XCTest

/// A temporary store of four runs for the dashboard's tests:
/// 1 `sgd-0.1` (lr 0.1, sgd, finished; loss at steps 1...10, val_accuracy 0.5 and 0.8 at steps 5 and 10; a folder
///   with image.png and report.html, and a secret.txt beside the folder),
/// 2 `adam-0.01` (lr 0.01, adam, finished; loss 1...10, val_accuracy 0.6 and 0.9),
/// 3 `long` (lr 0.001, running; loss at steps 1...5000 with a spike of 100 at 1234 and a dip of -50 at 4321),
/// 4 `old` (lr 0.5, archived, finished; loss 1...3).
final class ServeFixture {
    let folder: URL
    let store: RunStore
    let runFolder: URL
    let image = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-serve-\(UUID().uuidString)")
        runFolder = folder.appendingPathComponent("runs/sgd-0.1")
        try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
        try image.write(to: runFolder.appendingPathComponent("image.png"))
        try Data("<html>report</html>".utf8).write(to: runFolder.appendingPathComponent("report.html"))
        try Data("secret".utf8).write(to: folder.appendingPathComponent("runs/secret.txt"))
        store = try RunStore(path: folder.appendingPathComponent("strata.sqlite").path)
        let start = Date().timeIntervalSince1970 - 100

        let first = try store.beginRun(NewRun(name: "sgd-0.1", experiment: "train", command: "strata train --lr 0.1",
                                              params: ["lr": "0.1", "optimizer": "sgd"], folder: runFolder.path), started: start)
        let firstLoss: [MetricPoint] = (1...10).map { step in
            MetricPoint(name: "loss", step: step, epoch: (step - 1) / 5 + 1, wallTime: start + Double(step), value: 1 / Double(step))
        }
        try store.append(firstLoss, runID: first)
        try store.append([MetricPoint(name: "val_accuracy", step: 5, epoch: 1, wallTime: start + 5, value: 0.5),
                          MetricPoint(name: "val_accuracy", step: 10, epoch: 2, wallTime: start + 10, value: 0.8)], runID: first)
        try store.setArtifacts([Artifact(path: "image.png", kind: "image", bytes: Int64(image.count), sha256: "00"),
                                Artifact(path: "report.html", kind: "report", bytes: 19, sha256: "11")], runID: first)
        try store.finishRun(first, status: .finished)

        let second = try store.beginRun(NewRun(name: "adam-0.01", experiment: "train", params: ["lr": "0.01", "optimizer": "adam"]),
                                        started: start + 1)
        let secondLoss: [MetricPoint] = (1...10).map { step in
            MetricPoint(name: "loss", step: step, epoch: (step - 1) / 5 + 1, value: 2 / Double(step))
        }
        try store.append(secondLoss, runID: second)
        try store.append([MetricPoint(name: "val_accuracy", step: 5, epoch: 1, value: 0.6),
                          MetricPoint(name: "val_accuracy", step: 10, epoch: 2, value: 0.9)], runID: second)
        try store.finishRun(second, status: .finished)

        let third = try store.beginRun(NewRun(name: "long", experiment: "sweep", params: ["lr": "0.001", "optimizer": "adam"]),
                                       started: start + 2)
        try store.append((1...5000).map { step in
            MetricPoint(name: "loss", step: step, epoch: (step - 1) / 1000 + 1, value: Self.longLoss(step), isSummary: false)
        }, runID: third)

        let fourth = try store.beginRun(NewRun(name: "old", experiment: "train", params: ["lr": "0.5", "optimizer": "sgd"]),
                                        started: start + 3)
        try store.append((1...3).map { MetricPoint(name: "loss", step: $0, value: 3 / Double($0)) }, runID: fourth)
        try store.finishRun(fourth, status: .finished)
        try store.setArchived([fourth], true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// Run 3's loss at `step`: a gentle wave with one spike and one dip.
    static func longLoss(_ step: Int) -> Double {
        step == 1234 ? 100 : step == 4321 ? -50 : 1 + 0.5 * sin(Double(step) / 50)
    }

    /// The dashboard's application over the store (with `token`, every request must carry it).
    func application(token: String? = nil) -> LiveRouter {
        LiveRouter(router: DashboardRouter.make(api: DashboardAPI(store: store), token: token))
    }
}

/// A response's body as a JSON object.
func jsonObject(_ response: TestResponse, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
    return try XCTUnwrap(object, "not a JSON object: \(String(buffer: response.body))", file: file, line: line)
}

/// A response's `runs` as their ids, in order.
func runIDs(_ response: TestResponse) throws -> [Int] {
    try (jsonObject(response)["runs"] as? [[String: Any]] ?? []).map { $0["id"] as? Int ?? -1 }
}
