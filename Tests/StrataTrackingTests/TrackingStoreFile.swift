import Foundation
@testable import StrataTracking

/// A store in a temporary folder of its own, removed by `remove()`.
struct TrackingStoreFile {
    /// The folder.
    let folder: URL
    /// The store's path.
    var path: String { folder.appendingPathComponent("strata.sqlite").path }

    init() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-tracking-\(UUID().uuidString.prefix(8))")
    }

    /// Opens (or creates) the store.
    func open() throws -> RunStore { try RunStore(path: path) }

    /// A run named `name` with `params` and each metric's `values` at epochs 1, 2, … (step = 10 × epoch).
    @discardableResult
    func addRun(_ store: RunStore, _ name: String, params: [String: String] = [:], metrics: [String: [Double]] = [:],
                status: RunStatus = .finished, experiment: String = "test") throws -> Int64 {
        let id = try store.beginRun(NewRun(name: name, experiment: experiment, command: "strata test", params: params))
        var points: [MetricPoint] = []
        for (metric, values) in metrics {
            for (index, value) in values.enumerated() {
                points.append(MetricPoint(name: metric, step: 10 * (index + 1), epoch: index + 1, wallTime: 1000 + Double(index), value: value))
            }
        }
        try store.append(points, runID: id)
        if status != .running { try store.finishRun(id, status: status) }
        return id
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
