import Foundation

extension RunStore {
    /// Records the run folder at `url`, made before the store or without it (`strata runs import`): its
    /// `options.json` as parameters, its per-epoch history as metrics (step = epoch, wall time = the
    /// history file's time, as the folder keeps no other), the numbers of its `metrics.json` as final
    /// values, and its files. Finished when it has `metrics.json`, else killed (stopped before its end).
    /// A folder already in the store is not recorded twice: returns its run with `isNew` false. Throws
    /// naming the folder when it is not a run folder.
    public func importRunFolder(at url: URL, experiment: String = "imported") throws -> (id: Int64, isNew: Bool) {
        let folder = url.absoluteURL.standardizedFileURL
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TrackingError("\(url.path) is not a folder")
        }
        let options = folder.appendingPathComponent("options.json"), metrics = folder.appendingPathComponent("metrics.json")
        let historyFiles = ["history.json", "history.csv"].map { folder.appendingPathComponent($0) }
        guard manager.fileExists(atPath: options.path) || historyFiles.contains(where: { manager.fileExists(atPath: $0.path) }) else {
            throw TrackingError("\(url.path) is not a run folder: it has no options.json, history.csv or history.json")
        }
        if let existing = try runs(where: .comparison(.column("folder"), .equal, .text(folder.path)), includeArchived: true).first {
            return (existing.id, false)
        }
        func modified(_ file: URL) -> Double? {
            (try? manager.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)?.timeIntervalSince1970
        }
        let params = manager.fileExists(atPath: options.path) ? try RunFolderFiles.params(optionsAt: options) : [:]
        let historyTime = historyFiles.compactMap(modified).max()
        let started = modified(options) ?? historyTime ?? Date().timeIntervalSince1970
        let finished = manager.fileExists(atPath: metrics.path)
        let ended = (finished ? modified(metrics) : nil) ?? historyTime ?? started

        var points: [MetricPoint] = []
        let history = RunFolderFiles.history(in: folder)
        if let history {
            for (row, epoch) in history.epochs.enumerated() {
                for name in history.names where history[name][row].isFinite {
                    points.append(MetricPoint(name: name, step: epoch, epoch: epoch, wallTime: historyTime ?? ended,
                                              value: history[name][row]))
                }
            }
        }
        let lastEpoch = history?.epochs.last ?? 0
        for (name, value) in RunFolderFiles.results(metricsAt: metrics).sorted(by: { $0.key < $1.key }) {
            points.append(MetricPoint(name: name, step: lastEpoch, epoch: lastEpoch > 0 ? lastEpoch : nil, wallTime: ended, value: value))
        }
        let run = NewRun(name: folder.lastPathComponent, experiment: experiment, command: "imported from \(folder.path)",
                         params: params, folder: folder.path)
        let id = try beginRun(run, started: started)
        try append(points, runID: id)
        try setArtifacts(try RunFolderFiles.artifacts(in: folder), runID: id)
        try finishRun(id, status: finished ? .finished : .killed, ended: ended)
        return (id, true)
    }
}
