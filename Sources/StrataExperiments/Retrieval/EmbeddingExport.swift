import Foundation
import StrataData
import StrataRetrieval

/// What `strata retrieve embed` wrote into its folder (`embeddings.json`): the network, the data set and
/// one part per split, each a raw float32 file of embeddings with a CSV of their labels.
public struct EmbeddingExportRecord: Codable, Equatable, Sendable {
    /// One split's embeddings.
    public struct Part: Codable, Equatable, Sendable {
        /// `training` or `test` (built-in data sets), or `photos` (a folder of people).
        public var name: String
        /// The float32 file, `(count, dimension)` row-major little-endian, in the data set's order.
        public var file: String
        /// The CSV file of `row,label` (and `,path` for photos), one line per embedding.
        public var labels: String
        /// The number of embeddings.
        public var count: Int
    }

    /// The run folder of `strata retrieve train` whose network embedded the images (absolute path).
    public var modelRun: String
    /// The weights' fingerprint.
    public var fingerprint: String
    /// The data set embedded: `mnist`, `fashion-mnist`, `orl-faces` or a folder path.
    public var dataset: String
    /// The length of each embedding.
    public var dimension: Int
    /// The splits written, in order.
    public var parts: [Part]
}

/// `strata retrieve embed`: every image of a data set through a trained embedding network, written as raw
/// float32 files (what NumPy's `tofile` writes and `strata-retrievalbench --base` reads).
public enum EmbeddingExport {
    /// The record's file name in the output folder.
    public static let recordName = "embeddings.json"

    /// Embeds every image of `dataset` (default: the one the network trained on) with the network of the
    /// run folder `modelRun` and writes, into the folder `output`, `<part>.f32` and `<part>.csv` for each
    /// split (`training` and `test` of a built-in data set, `photos` of a folder of people) and
    /// `embeddings.json`. A folder that already holds embeddings is refused unless `overwrite`.
    @discardableResult
    public static func write(modelRun: String, dataset: String?, dataDirectory: String?, output: String,
                             overwrite: Bool, log: (String) -> Void) throws -> EmbeddingExportRecord {
        let folder = URL(fileURLWithPath: output).standardizedFileURL
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) && !isFolder.boolValue {
            throw ExperimentError("\(folder.path) is a file; --out must name a folder")
        }
        let recordURL = folder.appendingPathComponent(recordName)
        if FileManager.default.fileExists(atPath: recordURL.path) && !overwrite {
            throw ExperimentError("\(folder.path) already holds embeddings (\(recordName)); pass --overwrite to replace them")
        }
        let (model, trainedOptions, metrics) = try EmbeddingRun.load(modelRun)
        var options = trainedOptions
        options.dataDirectory = dataDirectory
        if let dataset, dataset != trainedOptions.dataset {
            options.dataset = dataset
            // A built-in data set keeps its own size; the network's input shape check names any mismatch.
            if (try? BuiltinDataset(name: dataset)) != nil { options.imageSize = nil }
        }
        let parts: [(name: String, dataset: Dataset, files: [URL]?)]
        switch try RetrievalData.load(options) {
        case let .classes(training, test): parts = [("training", training, nil), ("test", test, nil)]
        case let .identities(photos, files): parts = [("photos", photos, files)]
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var record = EmbeddingExportRecord(modelRun: URL(fileURLWithPath: modelRun).standardizedFileURL.path,
                                           fingerprint: metrics.fingerprint, dataset: options.dataset, dimension: 0,
                                           parts: [])
        for part in parts {
            let embeddings = try EmbeddingNetwork.embed(part.dataset, with: model)
            record.dimension = embeddings.dimension
            let file = part.name + ".f32", labels = part.name + ".csv"
            try embeddings.values.withUnsafeBytes { try AtomicFile.write(Data($0), to: folder.appendingPathComponent(file)) }
            try AtomicFile.write(Data(labelTable(part.dataset, files: part.files).utf8), to: folder.appendingPathComponent(labels))
            record.parts.append(.init(name: part.name, file: file, labels: labels, count: embeddings.count))
            log("\(part.name): \(embeddings.count) embeddings of \(embeddings.dimension) floats → \(folder.path)/\(file)")
        }
        try AtomicFile.write(try RunReport.jsonEncoder.encode(record), to: recordURL)
        return record
    }

    /// `row,label` (and `,path` when `files` are given) for every image of `dataset`, with a header line.
    static func labelTable(_ dataset: Dataset, files: [URL]?) -> String {
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var lines = [files == nil ? "row,label" : "row,label,path"]
        lines.reserveCapacity(dataset.count + 1)
        for row in 0..<dataset.count {
            let label = quoted(dataset.classNames[dataset.labels[row]])
            lines.append(files.map { "\(row),\(label),\(quoted($0[row].path))" } ?? "\(row),\(label)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
