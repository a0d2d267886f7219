import Foundation
import StrataTrain

/// The trained network of a run folder, whichever command wrote it: a classifier of `strata train`
/// (rebuilt from its options for its dataset's image shape, with its final weights) or the embedding
/// network of `strata retrieve train` (unit-normalized embeddings as its output).
public enum RunModel {
    /// The model of the run in `path`, with a short description (`cnn classifier on mnist`); throws
    /// naming the folder when it holds no run or no network (a `pixels` retrieval run).
    public static func load(_ path: String, dataDirectory: String? = nil) throws -> (model: Model, description: String) {
        if try isRetrievalRun(path) {
            let run = try EmbeddingRun.load(path)
            guard let model = run.model else {
                throw ExperimentError("\(path): a retrieval run of --model pixels has no network to export")
            }
            return (model, "\(run.options.model) embedding network (\(run.options.dimension) dimensions)")
        }
        let data = try TrainedClassifier.data(of: path, dataDirectory: dataDirectory)
        let classifier = try TrainedClassifier(path, for: data.test)
        return (classifier.model, "\(classifier.options.model) classifier on \(data.name)")
    }

    /// Whether the run's options.json is that of `strata retrieve train` (it has an embedding `dimension`).
    static func isRetrievalRun(_ path: String) throws -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ExperimentError("run folder \(path) does not exist")
        }
        let options = URL(fileURLWithPath: path).appendingPathComponent("options.json")
        guard let data = try? Data(contentsOf: options),
              let options = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return options["dimension"] != nil
    }
}
