import StrataCore

/// Random brightness and contrast, as torchvision's `ColorJitter(brightness:contrast:)` applies them to images
/// on the [0, 1] scale.
///
/// Brightness multiplies every pixel by a factor drawn from `[1 − brightness, 1 + brightness]`; contrast then
/// blends the image with its mean level (over all pixels and channels; torchvision takes the mean of the
/// greyscale image, the same for one channel), `mean + c·(x − mean)`, with `c` drawn from
/// `[1 − contrast, 1 + contrast]`. Results are clamped to [0, 1]. Two random values are drawn per image,
/// always, so this augmentation never shifts the draws of the ones after it.
public struct RandomBrightnessContrast: ImageAugmentation {
    /// The largest relative change of brightness (0.2: factors 0.8 to 1.2).
    public var brightness: Float
    /// The largest relative change of contrast (0.2: factors 0.8 to 1.2).
    public var contrast: Float

    /// A jitter of brightness and contrast; both must be in [0, 1].
    public init(brightness: Float = 0.2, contrast: Float = 0.2) {
        precondition((0...1).contains(brightness), "RandomBrightnessContrast: brightness \(brightness) is not in [0, 1]")
        precondition((0...1).contains(contrast), "RandomBrightnessContrast: contrast \(contrast) is not in [0, 1]")
        self.brightness = brightness
        self.contrast = contrast
    }

    /// Draws the two factors and applies them to `image` in place.
    public func apply(to image: inout FloatImage, using generator: inout RandomGenerator) {
        let brightnessFactor = generator.nextUniform(in: (1 - brightness)...(1 + brightness))
        let contrastFactor = generator.nextUniform(in: (1 - contrast)...(1 + contrast))
        var sum: Float = 0
        for index in image.pixels.indices {
            let value = min(max(image.pixels[index] * brightnessFactor, 0), 1)
            image.pixels[index] = value
            sum += value
        }
        let mean = sum / Float(max(image.pixels.count, 1))
        for index in image.pixels.indices {
            image.pixels[index] = min(max(mean + contrastFactor * (image.pixels[index] - mean), 0), 1)
        }
    }
}
