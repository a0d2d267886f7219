import Foundation

/// The datasets Strata knows by name: where they are published, their files, checksums and class names.
public enum BuiltinDataset: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Handwritten digits 0–9 (LeCun, Cortes, Burges), 28×28 grayscale.
    case mnist = "mnist"
    /// Zalando's clothing images (Xiao, Rasul, Vollgraf; MIT licence), 28×28 grayscale.
    case fashionMNIST = "fashion-mnist"

    /// Looks a dataset up by name, forgiving case and `_` for `-` (`fashion_mnist`, `FashionMNIST`).
    public init(name: String) throws {
        let key = name.lowercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "")
        guard let match = BuiltinDataset.allCases.first(where: { $0.rawValue.replacingOccurrences(of: "-", with: "") == key })
        else {
            throw DataError.unknownDataset(name: name, known: BuiltinDataset.allCases.map(\.rawValue))
        }
        self = match
    }

    /// The name used on the command line and as the folder name: `mnist`, `fashion-mnist`.
    public var description: String { rawValue }

    /// The name of each class, by index.
    public var classNames: [String] {
        switch self {
        case .mnist:
            return (0...9).map(String.init)
        case .fashionMNIST:
            return ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        }
    }

    /// The four IDX files, with the SHA-256 and size of their decompressed content.
    public var files: [BuiltinDatasetFile] {
        switch self {
        case .mnist:
            return [
                .init("train-images-idx3-ubyte", .training, .images, 47_040_016,
                      "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
                .init("train-labels-idx1-ubyte", .training, .labels, 60_008,
                      "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
                .init("t10k-images-idx3-ubyte", .test, .images, 7_840_016,
                      "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
                .init("t10k-labels-idx1-ubyte", .test, .labels, 10_008,
                      "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
            ]
        case .fashionMNIST:
            return [
                .init("train-images-idx3-ubyte", .training, .images, 47_040_016,
                      "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
                .init("train-labels-idx1-ubyte", .training, .labels, 60_008,
                      "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
                .init("t10k-images-idx3-ubyte", .test, .images, 7_840_016,
                      "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
                .init("t10k-labels-idx1-ubyte", .test, .labels, 10_008,
                      "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
            ]
        }
    }

    /// Public mirrors serving `<file>.gz`, tried in turn by `DatasetFetcher`.
    public var mirrors: [URL] {
        switch self {
        case .mnist:
            return [URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!,
                    URL(string: "https://storage.googleapis.com/cvdf-datasets/mnist/")!]
        case .fashionMNIST:
            return [URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!,
                    URL(string: "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")!]
        }
    }

    /// Folders where an operating-system package installs the dataset (Debian's `dataset-fashion-mnist`).
    public var systemFolders: [URL] {
        switch self {
        case .mnist: return []
        case .fashionMNIST: return [URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")]
        }
    }

    /// The file holding `role` of `part`.
    public func file(_ part: DatasetPart, _ role: BuiltinDatasetFile.Role) -> BuiltinDatasetFile {
        files.first { $0.part == part && $0.role == role }!
    }
}

/// The training or the test part of a built-in dataset.
public enum DatasetPart: String, CaseIterable, Sendable {
    /// The training images (60,000 for MNIST and Fashion-MNIST).
    case training = "train"
    /// The test images (10,000).
    case test = "t10k"
}

/// One file of a built-in dataset and the published facts about its decompressed content.
public struct BuiltinDatasetFile: Sendable {
    /// Whether a file holds images or labels.
    public enum Role: String, Sendable {
        /// Images `(N, H, W)`.
        case images
        /// Labels `(N)`.
        case labels
    }

    /// The decompressed file's name, e.g. `train-images-idx3-ubyte` (mirrors serve `<name>.gz`).
    public let name: String
    /// The part it belongs to.
    public let part: DatasetPart
    /// Images or labels.
    public let role: Role
    /// The decompressed size in bytes.
    public let byteCount: Int
    /// The SHA-256 of the decompressed content, lowercase hex.
    public let sha256: String

    init(_ name: String, _ part: DatasetPart, _ role: Role, _ byteCount: Int, _ sha256: String) {
        self.name = name
        self.part = part
        self.role = role
        self.byteCount = byteCount
        self.sha256 = sha256
    }

    /// The gzipped name, `<name>.gz`.
    public var gzipName: String { name + ".gz" }
}

extension Dataset {
    /// Loads part of a built-in dataset from the first place `DatasetLocator` finds it.
    ///
    /// - Parameters:
    ///   - dataset: the dataset (`.mnist` or `.fashionMNIST`).
    ///   - part: the training or the test part.
    ///   - dataDirectory: an explicit folder (the `--data-dir` option), looked in first.
    public static func builtin(_ dataset: BuiltinDataset, part: DatasetPart, dataDirectory: URL? = nil) throws -> Dataset {
        try builtin(dataset, part: part, locator: DatasetLocator(explicitDirectory: dataDirectory))
    }

    /// Loads part of a built-in dataset from the first place `locator` finds it.
    public static func builtin(_ dataset: BuiltinDataset, part: DatasetPart, locator: DatasetLocator) throws -> Dataset {
        let folder = try locator.locate(dataset)
        let images = locator.existingFile(dataset.file(part, .images), in: folder)!
        let labels = locator.existingFile(dataset.file(part, .labels), in: folder)!
        return try Dataset(imagesFile: images, labelsFile: labels, classNames: dataset.classNames,
                           name: "\(dataset.rawValue)/\(part == .training ? "training" : "test")")
    }
}
