import StrataData

/// The augmentations `--augment` offers: one name, or several joined by `+` (`affine+erasing`,
/// `flip+erasing`, `align+affine`).
///
/// Whatever order they are written in, they act in a fixed one: deskewing (`align`, once, before training),
/// then per drawn image the random warp (`affine` or `elastic`), the horizontal flip (`flip`), and random
/// erasing (`erasing`) last, on the finished image, as in torchvision pipelines. `none` stands alone, no
/// part may be named twice, and `affine` and `elastic` (which warps with its own milder affine map) exclude
/// each other.
///
/// ```swift
/// let choice = try AugmentationChoice.parse("flip+erasing")
/// let loader = DataLoader(train, batchSize: 128, augmentations: choice.trainingAugmentations)
/// ```
public struct AugmentationChoice: RawRepresentable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// One augmentation of a combination.
    public enum Part: String, CaseIterable, Sendable {
        /// No augmentation.
        case none
        /// Random rotation (±10°), translation (±10%), scale (0.9–1.1) and shear (±10°), bilinear.
        case affine
        /// Deskewing by image moments ("align"), applied once to every image, training and test alike.
        case align
        /// Elastic distortion (Simard et al., α 34, σ 4) after a milder random affine.
        case elastic
        /// Random erasing (Zhong et al. 2017) with torchvision's defaults: with chance ½, a rectangle of
        /// 2–33 % of the image, aspect ratio 0.3–3.3, filled with 0 (black).
        case erasing
        /// A horizontal mirror image with chance ½ (for clothes and faces, not for digits).
        case flip
    }

    /// The parts, in the order they were written.
    public let parts: [Part]

    /// A choice of `parts`, unchecked (the static members and `parse` check theirs).
    private init(parts: [Part]) { self.parts = parts }

    /// No augmentation.
    public static let none = AugmentationChoice(parts: [.none])
    /// A random affine map.
    public static let affine = AugmentationChoice(parts: [.affine])
    /// Deskewing, once.
    public static let align = AugmentationChoice(parts: [.align])
    /// Elastic distortion.
    public static let elastic = AugmentationChoice(parts: [.elastic])
    /// Random erasing.
    public static let erasing = AugmentationChoice(parts: [.erasing])
    /// Random horizontal flips.
    public static let flip = AugmentationChoice(parts: [.flip])

    /// Each part on its own.
    public static var allCases: [AugmentationChoice] { Part.allCases.map { AugmentationChoice(parts: [$0]) } }

    /// The names of the parts, for help texts and errors.
    public static var partNames: [String] { Part.allCases.map(\.rawValue) }

    /// The choice written `text` (`affine`, `flip+erasing`); throws naming `--augment` and the fault.
    public static func parse(_ text: String) throws -> AugmentationChoice {
        let names = text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        var parts: [Part] = []
        for name in names {
            guard let part = Part(rawValue: name) else {
                throw ExperimentError("unknown augmentation '\(name)'" + (names.count > 1 ? " in --augment \(text)" : "")
                    + "; choose one of: \(partNames.joined(separator: ", ")), or several joined by + (affine+erasing)")
            }
            guard !parts.contains(part) else { throw ExperimentError("--augment \(text) names \(name) twice") }
            parts.append(part)
        }
        if parts.count > 1 && parts.contains(.none) {
            throw ExperimentError("--augment \(text): none cannot be combined with other augmentations")
        }
        if parts.contains(.affine) && parts.contains(.elastic) {
            throw ExperimentError("--augment \(text): affine and elastic both warp the image; choose one")
        }
        return AugmentationChoice(parts: parts)
    }

    /// The choice written `rawValue`, or nil when `parse` would throw.
    public init?(rawValue: String) {
        guard let choice = try? Self.parse(rawValue) else { return nil }
        self = choice
    }

    /// The parts joined by `+`, as written.
    public var rawValue: String { parts.map(\.rawValue).joined(separator: "+") }

    /// The raw value.
    public var description: String { rawValue }

    /// Whether training images are mirrored at random (test-time augmentation then mirrors too).
    public var flips: Bool { parts.contains(.flip) }

    /// Whether every image is deskewed once, before training and evaluation.
    public var aligns: Bool { parts.contains(.align) }

    /// The random augmentations applied to training images on the fly, in the fixed order (none for
    /// `align` alone, whose deskewing `prepared(_:)` does once, before training).
    public var trainingAugmentations: [any ImageAugmentation] {
        var augmentations: [any ImageAugmentation] = []
        if parts.contains(.affine) {
            augmentations.append(RandomAffine(rotationDegrees: 10, translation: 0.1, scale: 0.9...1.1, shearDegrees: 10))
        }
        if parts.contains(.elastic) {
            augmentations += [RandomAffine(rotationDegrees: 8, translation: 0.08, scale: 0.92...1.08, shearDegrees: 8),
                              ElasticDistortion(alpha: 34, sigma: 4)]
        }
        if parts.contains(.flip) { augmentations.append(RandomHorizontalFlip()) }
        if parts.contains(.erasing) { augmentations.append(RandomErasing()) }
        return augmentations
    }

    /// `dataset` as the model sees it: every image deskewed once (`align`), else unchanged. Training,
    /// validation and test images all go through it, so they are deskewed (and stored as bytes) alike.
    public func prepared(_ dataset: Dataset) -> Dataset {
        aligns ? dataset.deskewed() : dataset
    }
}
