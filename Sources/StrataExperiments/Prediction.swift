import Foundation
import StrataData

/// Labels with probabilities for new images (`strata predict`): image files (PNG, PGM or JPEG), or an IDX file of images.
public enum Prediction {
    /// The prediction for one image.
    public struct Result: Sendable {
        /// The image file or `<idx file>[index]` the image came from.
        public let source: String
        /// The most probable classes with their probabilities, best first.
        public let top: [(className: String, probability: Float)]
    }

    /// Reads the images named by `paths` (PNG, PGM or JPEG files, or IDX image files with `.gz` or not) and
    /// returns them as one unlabelled dataset with the source of each image; every image must have
    /// the size of the model's training images.
    public static func loadImages(_ paths: [String], height: Int, width: Int, classNames: [String]) throws
        -> (images: Dataset, sources: [String]) {
        var pixels: [UInt8] = []
        var sources: [String] = []
        for path in paths {
            let url = URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ExperimentError("\(path): no such file")
            }
            if ImageFileFormat.hasImageExtension(url) {
                let image = try ImageFolderDataset.decodeImage(url)
                guard image.height == height && image.width == width else {
                    throw ExperimentError("\(path): the image is \(image.width)×\(image.height) but the model takes \(width)×\(height)")
                }
                pixels += image.pixels
                sources.append(path)
            } else {
                let images = try IDXFile.readImages(url)
                guard images.height == height && images.width == width else {
                    throw ExperimentError("\(path): the images are \(images.width)×\(images.height) but the model takes \(width)×\(height)")
                }
                pixels += images.pixels
                sources += (0..<images.count).map { "\(path)[\($0)]" }
            }
        }
        let dataset = try Dataset(name: "predict", images: pixels, labels: [Int](repeating: 0, count: sources.count),
                                  height: height, width: width, classNames: classNames)
        return (dataset, sources)
    }

    /// The `top` most probable classes of every image in `paths` under `classifier`.
    public static func run(_ classifier: TrainedClassifier, paths: [String], classNames: [String], height: Int, width: Int,
                           top: Int = 1) throws -> [Result] {
        let (images, sources) = try loadImages(paths, height: height, width: width, classNames: classNames)
        let evaluation = try ClassifierEvaluation.run(classifier.model, on: images, augmentation: classifier.augmentation)
        let classes = evaluation.classCount
        return sources.enumerated().map { i, source in
            let row = Array(evaluation.probabilities[(i * classes)..<((i + 1) * classes)])
            let best = row.indices.sorted { row[$0] > row[$1] }.prefix(max(1, top))
            return Result(source: source, top: best.map { (classNames[$0], row[$0]) })
        }
    }
}
