import StrataCore

/// A random rotation, translation, scale and shear per image, sampled bilinearly with zero fill.
///
/// Each parameter is drawn uniformly: an angle in `±rotationDegrees`, a shift in `±translation` × the image's
/// width (x) and height (y), a scale in `scale`, a shear angle in `±shearDegrees`. Five values are drawn per
/// image whatever the settings. The defaults change nothing.
///
/// ```swift
/// let affine = RandomAffine(rotationDegrees: 10, translation: 0.1, scale: 0.9...1.1, shearDegrees: 10)
/// ```
public struct RandomAffine: ImageAugmentation {
    /// The largest rotation either way, in degrees.
    public var rotationDegrees: Float
    /// The largest shift either way, as a fraction of the image's width and height.
    public var translation: Float
    /// The range the scale factor is drawn from.
    public var scale: ClosedRange<Float>
    /// The largest shear angle either way, in degrees.
    public var shearDegrees: Float

    /// An augmentation with the given ranges; the defaults are the identity.
    public init(rotationDegrees: Float = 0, translation: Float = 0, scale: ClosedRange<Float> = 1...1,
                shearDegrees: Float = 0) {
        precondition(scale.lowerBound > 0, "RandomAffine: scale range \(scale) must be positive")
        self.rotationDegrees = rotationDegrees
        self.translation = translation
        self.scale = scale
        self.shearDegrees = shearDegrees
    }

    /// Draws one transform for an image of `height` × `width`.
    public func sample(height: Int, width: Int, using generator: inout RandomGenerator) -> AffineTransform {
        let angle = generator.nextUniform(in: -rotationDegrees...rotationDegrees)
        let shiftX = generator.nextUniform(in: -translation...translation) * Float(width)
        let shiftY = generator.nextUniform(in: -translation...translation) * Float(height)
        let factor = generator.nextUniform(in: scale)
        let shear = generator.nextUniform(in: -shearDegrees...shearDegrees)
        return AffineTransform(rotationDegrees: angle, scale: factor, shearDegrees: shear,
                               translationX: shiftX, translationY: shiftY)
    }

    /// Warps `image` by a freshly drawn transform.
    public func apply(to image: inout FloatImage, using generator: inout RandomGenerator) {
        let transform = sample(height: image.height, width: image.width, using: &generator)
        if transform == .identity { return }
        image = transform.warp(image)
    }
}
