import Foundation
import StrataCore
import StrataData
import StrataTrain

/// Test-time augmentation (`--tta n`): a classifier's softmax probabilities averaged over each test image
/// and `n − 1` fixed variants of it, deterministic and the same for every run.
///
/// The views, in order: the image itself, then one-pixel shifts right, left, down, up, and the four
/// diagonal ones (9 views in all). For models trained with random flips (`--augment` with `flip`) each shift
/// is followed by its mirror image — the image, its mirror, right, mirrored right, … (18 views in all) — so
/// `--tta 2` is the image and its mirror. Shifts fill with black, as the random affine map does, and are
/// exact on the bytes. The prediction is the class of highest mean probability; the loss is the
/// cross-entropy of the mean probabilities.
///
/// ```swift
/// let tta = try TestTimeAugmentation(views: 5, mirroring: false)   // the image and four shifts
/// let evaluation = try tta.evaluate(model, on: test)
/// ```
public struct TestTimeAugmentation: Sendable, Equatable {
    /// One variant of the test images.
    public struct View: Sendable, Equatable, CustomStringConvertible {
        /// Pixels to the right (negative: left).
        public let x: Int
        /// Pixels down (negative: up).
        public let y: Int
        /// Whether the image is mirrored left to right first.
        public let mirrored: Bool

        /// `identity`, `mirror`, `shift(1,0)`, `mirror+shift(-1,1)`, ….
        public var description: String {
            let shift = x == 0 && y == 0 ? nil : "shift(\(x),\(y))"
            switch (mirrored, shift) {
            case (false, nil): return "identity"
            case (true, nil): return "mirror"
            case (false, let shift?): return shift
            case (true, let shift?): return "mirror+" + shift
            }
        }
    }

    /// The shifts in the order views take them: none, right, left, down, up, then the diagonals.
    public static let shifts: [(x: Int, y: Int)] = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)]

    /// The most views there are: 9 shifts, twice that with mirror images.
    public static func maximumViews(mirroring: Bool) -> Int { shifts.count * (mirroring ? 2 : 1) }

    /// The views averaged, the image itself first.
    public let views: [View]

    /// The first `views` views (1: the image alone), mirrored ones included when `mirroring`; throws naming
    /// `--tta` and the range when `views` is not in 1...`maximumViews(mirroring:)`.
    public init(views count: Int, mirroring: Bool) throws {
        let maximum = Self.maximumViews(mirroring: mirroring)
        guard count >= 1 && count <= maximum else {
            throw ExperimentError("--tta must be in 1...\(maximum) (the image, then one-pixel shifts"
                + (mirroring ? " and mirror images" : "; 18 with mirror images, for runs trained with flip") + "), got \(count)")
        }
        let all = Self.shifts.flatMap { shift in
            (mirroring ? [false, true] : [false]).map { View(x: shift.x, y: shift.y, mirrored: $0) }
        }
        views = Array(all.prefix(count))
    }

    /// The mean softmax probabilities `(N, C)` of `model` over the views of `dataset` (already prepared:
    /// deskewed when the model was trained so), in dataset order.
    public func probabilities(_ model: Model, on dataset: Dataset, batchSize: Int = 500) throws -> [Float] {
        let classes = dataset.classCount
        var sum = [Float](repeating: 0, count: dataset.count * classes)
        for view in views {
            let variant = dataset.translated(x: view.x, y: view.y, mirrored: view.mirrored)
            let batches = try DataLoaderBatches(DataLoader(variant, batchSize: batchSize, shuffle: false),
                                                inputShape: model.inputShape)
            var offset = 0
            for (inputs, _) in batches.batches(epoch: 0) {
                let logits = model.predict(inputs, batchSize: batchSize)
                guard logits.shape.last == classes else {
                    throw ExperimentError("the model gives \(logits.shape.last ?? 0) outputs but the dataset has \(classes) classes")
                }
                for (i, p) in logits.softmax().scalars.enumerated() { sum[offset + i] += p }
                offset += inputs.shape[0] * classes
            }
        }
        let count = Float(views.count)
        return sum.map { $0 / count }
    }

    /// `model`'s evaluation on `dataset` (prepared) with the probabilities averaged over the views.
    public func evaluate(_ model: Model, on dataset: Dataset, batchSize: Int = 500) throws -> ClassifierEvaluation {
        let mean = try probabilities(model, on: dataset, batchSize: batchSize)
        let classes = dataset.classCount
        var loss = 0.0
        for (i, label) in dataset.labels.enumerated() {
            loss -= Double(log(Swift.max(mean[i * classes + label], 1e-12)))
        }
        return ClassifierEvaluation(probabilities: mean, labels: dataset.labels, classCount: classes,
                                    loss: loss / Double(Swift.max(dataset.count, 1)))
    }
}
