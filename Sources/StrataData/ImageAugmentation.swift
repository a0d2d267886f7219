import StrataCore

/// A transformation of one image `(C, H, W)`, drawn at random from `generator` (the same draws give the same
/// output), applied on the fly by `DataLoader` before normalization.
///
/// Every channel of an image gets the same random transformation. Implementations consume a fixed number
/// of random values per image where they can, so one augmentation's parameters do not shift another's.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, augmentations: [
///     RandomAffine(rotationDegrees: 10, translation: 0.1), RandomErasing(probability: 0.25),
/// ])
/// ```
public protocol ImageAugmentation: Sendable {
    /// Transforms `image` in place, drawing any random parameters from `generator`.
    func apply(to image: inout FloatImage, using generator: inout RandomGenerator)
}

extension RandomGenerator {
    /// A uniform value in `range`.
    mutating func nextUniform(in range: ClosedRange<Float>) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUniform()
    }
}
