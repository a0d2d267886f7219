import Foundation

/// A labelled image dataset held as unsigned bytes: images `(N, C, H, W)` and class labels `(N)`.
///
/// ```swift
/// let train = try Dataset.builtin(.fashionMNIST, part: .training)
/// print(train.count, train.classNames[train.labels[0]])   // 60000 Ankle boot
/// ```
public struct Dataset: Sendable {
    /// A short name for messages and reports (`mnist`, `fashion-mnist/test`, a folder's name).
    public var name: String
    /// The pixels, row-major `(N, C, H, W)`, 0 = black, 255 = white.
    public var images: [UInt8]
    /// The class index of each image, in `0..<classCount`.
    public var labels: [Int]
    /// Channels per image `C` (1 for grayscale, 3 for RGB).
    public let channels: Int
    /// Image height `H`.
    public let height: Int
    /// Image width `W`.
    public let width: Int
    /// A readable name for each class index.
    public var classNames: [String]

    /// Builds a dataset, checking that the sizes agree and every label is a class index.
    ///
    /// - Parameters:
    ///   - name: a readable name for the dataset (`mnist/training`).
    ///   - images: the pixels of every image, `(N, C, H, W)` in row-major order.
    ///   - labels: the class index of each image, `(N)`.
    ///   - channels: channels per image `C`.
    ///   - height: image height `H`.
    ///   - width: image width `W`.
    ///   - classNames: a readable name for each class index.
    ///   - source: the file or folder the data came from, named in errors.
    public init(name: String, images: [UInt8], labels: [Int], channels: Int = 1, height: Int, width: Int,
                classNames: [String], source: String? = nil) throws {
        let origin = source ?? name
        let pixelsPerImage = channels * height * width
        guard pixelsPerImage > 0, images.count % pixelsPerImage == 0 else {
            throw DataError.wrongLayout(file: origin, expected: "images of \(channels)×\(height)×\(width) pixels",
                                        found: "\(images.count) pixels, not a whole number of images")
        }
        let imageCount = images.count / pixelsPerImage
        guard imageCount == labels.count else {
            throw DataError.countMismatch(imagesFile: origin, images: imageCount, labelsFile: origin,
                                          labels: labels.count)
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classNames.count }) {
            throw DataError.labelOutOfRange(file: origin, index: bad, label: labels[bad], classCount: classNames.count)
        }
        self.init(uncheckedName: name, images: images, labels: labels, channels: channels, height: height,
                  width: width, classNames: classNames)
    }

    /// Builds a dataset whose sizes and labels are already known to be right.
    init(uncheckedName name: String, images: [UInt8], labels: [Int], channels: Int, height: Int, width: Int,
         classNames: [String]) {
        self.name = name
        self.images = images
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
    }

    /// The most classes a dataset may have when they are inferred from its labels (a label of 10¹² in a file
    /// would otherwise ask for 10¹² class names).
    public static let maximumInferredClassCount = 100_000

    /// Reads a pair of IDX files (images `(N, H, W)` u8, labels `(N)`), checking counts and label range.
    ///
    /// When `classNames` is nil the classes are named `0`, `1`, … up to the largest label, which must be below
    /// `maximumInferredClassCount`.
    public init(imagesFile: URL, labelsFile: URL, classNames: [String]? = nil, name: String? = nil) throws {
        let images = try IDXFile.readImages(imagesFile)
        let labels = try IDXFile.readLabels(labelsFile)
        guard images.count == labels.count else {
            throw DataError.countMismatch(imagesFile: imagesFile.path, images: images.count,
                                          labelsFile: labelsFile.path, labels: labels.count)
        }
        if classNames == nil, let bad = labels.firstIndex(where: { $0 >= Self.maximumInferredClassCount }) {
            throw DataError.labelOutOfRange(file: labelsFile.path, index: bad, label: labels[bad],
                                            classCount: Self.maximumInferredClassCount)
        }
        let names = classNames ?? (0..<((labels.max() ?? -1) + 1)).map(String.init)
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= names.count }) {
            throw DataError.labelOutOfRange(file: labelsFile.path, index: bad, label: labels[bad],
                                            classCount: names.count)
        }
        self.init(uncheckedName: name ?? imagesFile.deletingLastPathComponent().lastPathComponent,
                  images: images.pixels, labels: labels, channels: 1, height: images.height,
                  width: images.width, classNames: names)
    }

    /// The number of images `N`.
    public var count: Int { labels.count }
    /// The number of classes.
    public var classCount: Int { classNames.count }
    /// Bytes per image: `C × H × W`.
    public var pixelsPerImage: Int { channels * height * width }
    /// The shape of one image, `[C, H, W]`.
    public var imageShape: [Int] { [channels, height, width] }

    /// The pixels of image `index`, `(C, H, W)`.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        images[(index * pixelsPerImage)..<((index + 1) * pixelsPerImage)]
    }

    /// How many images each class has, indexed by class.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The images at `indices`, in that order (indices may repeat).
    public func subset(_ indices: [Int], name: String? = nil) -> Dataset {
        let size = pixelsPerImage
        var pixels = [UInt8](repeating: 0, count: indices.count * size)
        pixels.withUnsafeMutableBufferPointer { destination in
            images.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "Dataset.subset: index \(index) out of 0..<\(count)")
                    (destination.baseAddress! + row * size)
                        .update(from: source.baseAddress! + index * size, count: size)
                }
            }
        }
        return Dataset(uncheckedName: name ?? self.name, images: pixels, labels: indices.map { labels[$0] },
                       channels: channels, height: height, width: width, classNames: classNames)
    }

    /// The mean and standard deviation of each channel over all pixels, on the [0, 1] scale.
    public func channelStatistics() -> (mean: [Float], std: [Float]) {
        var sums = [Double](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        let plane = height * width
        images.withUnsafeBufferPointer { pixels in
            for image in 0..<count {
                for channel in 0..<channels {
                    var sum = 0, square = 0
                    let start = (image * channels + channel) * plane
                    for value in pixels[start..<(start + plane)] {
                        sum += Int(value)
                        square += Int(value) * Int(value)
                    }
                    sums[channel] += Double(sum)
                    squares[channel] += Double(square)
                }
            }
        }
        let n = Double(max(count * plane, 1))
        let means = sums.map { $0 / n / 255 }
        let stds = zip(squares, means).map { (($0 / n / 65025) - $1 * $1).squareRoot() }
        return (means.map { Float($0) }, stds.map { Float($0) })
    }
}
