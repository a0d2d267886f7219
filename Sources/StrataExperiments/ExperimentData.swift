import Foundation
import StrataData

/// The training and test sets of an experiment, from a built-in dataset or the user's own files.
public struct ExperimentData: Sendable {
    /// The dataset's name (`mnist`, `fashion-mnist`, or the folder or file name).
    public let name: String
    /// The training set (validation is split from it later).
    public let training: Dataset
    /// The test set.
    public let test: Dataset

    /// Loads `spec`: `mnist`, `fashion-mnist`, `default`, a folder of PNGs (one subfolder per class)
    /// or a CSV file (label, then pixels). A user's own data has no test set, so 20% of it, stratified
    /// by class and fixed by `seed`, becomes the test set.
    public static func load(_ spec: String, dataDirectory: String? = nil, seed: UInt64 = 42) throws -> ExperimentData {
        let explicit = dataDirectory.map { URL(fileURLWithPath: $0) }
        let resolved = spec == "default" ? defaultDatasetName(dataDirectory: dataDirectory) : spec
        if let builtin = try? BuiltinDataset(name: resolved) {
            let locator = DatasetLocator(explicitDirectory: explicit)
            return ExperimentData(name: builtin.rawValue,
                                  training: try Dataset.builtin(builtin, part: .training, locator: locator),
                                  test: try Dataset.builtin(builtin, part: .test, locator: locator))
        }
        let url = URL(fileURLWithPath: resolved)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw ExperimentError("dataset '\(spec)' is neither mnist, fashion-mnist nor an existing folder or CSV file")
        }
        let all = isFolder.boolValue ? try ImageFolderDataset.load(from: url) : try CSVDataset.load(from: url)
        let (test, training) = all.stratifiedSplit(fraction: 0.2, seed: seed)
        return ExperimentData(name: url.lastPathComponent, training: training, test: test)
    }

    /// MNIST where an explicit folder, `$STRATA_DATA` or the user cache holds it; otherwise
    /// Fashion-MNIST, which Debian's `dataset-fashion-mnist` package (installed by scripts/setup) provides.
    public static func defaultDatasetName(dataDirectory: String? = nil) -> String {
        let locator = DatasetLocator(explicitDirectory: dataDirectory.map { URL(fileURLWithPath: $0) },
                                     includeSystemFolders: false)
        return (try? locator.locate(.mnist)) != nil ? BuiltinDataset.mnist.rawValue : BuiltinDataset.fashionMNIST.rawValue
    }
}
