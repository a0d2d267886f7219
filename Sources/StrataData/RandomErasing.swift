import Foundation
import StrataCore

/// Random erasing (Zhong et al., 2017): with probability `probability`, a rectangle covering a random fraction
/// `area` of the image, with aspect ratio (height ÷ width) in `aspectRatio`, is filled with `value`.
///
/// The aspect ratio is drawn log-uniformly; up to ten rectangles are tried until one fits inside the image,
/// as in torchvision. All channels are erased.
public struct RandomErasing: ImageAugmentation {
    /// The chance that an image is erased at all.
    public var probability: Float
    /// The range of the erased fraction of the image's area.
    public var area: ClosedRange<Float>
    /// The range of the rectangle's height ÷ width.
    public var aspectRatio: ClosedRange<Float>
    /// The value written into the rectangle (0: black on the [0, 1] scale).
    public var value: Float

    /// An erasing augmentation; the defaults are torchvision's.
    public init(probability: Float = 0.5, area: ClosedRange<Float> = 0.02...0.33,
                aspectRatio: ClosedRange<Float> = 0.3...3.3, value: Float = 0) {
        precondition(aspectRatio.lowerBound > 0, "RandomErasing: aspect ratio range \(aspectRatio) must be positive")
        self.probability = probability
        self.area = area
        self.aspectRatio = aspectRatio
        self.value = value
    }

    /// Draws the rectangle to erase in an image of `height` × `width`, or nil when this image is left alone.
    public func sampleRectangle(height: Int, width: Int, using generator: inout RandomGenerator)
        -> (x: Int, y: Int, width: Int, height: Int)? {
        guard generator.nextUniform() < probability else { return nil }
        let logRatio = log(aspectRatio.lowerBound)...log(aspectRatio.upperBound)
        for _ in 0..<10 {
            let target = generator.nextUniform(in: area) * Float(height * width)
            let ratio = exp(generator.nextUniform(in: logRatio))
            let h = Int((target * ratio).squareRoot().rounded())
            let w = Int((target / ratio).squareRoot().rounded())
            if h >= 1 && w >= 1 && h < height && w < width {
                let top = generator.nextInt(below: height - h + 1)
                let left = generator.nextInt(below: width - w + 1)
                return (left, top, w, h)
            }
        }
        return nil
    }

    /// Fills a freshly drawn rectangle of `image` (in every channel) with `value`, or leaves it alone.
    public func apply(to image: inout FloatImage, using generator: inout RandomGenerator) {
        guard let box = sampleRectangle(height: image.height, width: image.width, using: &generator) else { return }
        for channel in 0..<image.channels {
            for y in box.y..<(box.y + box.height) {
                for x in box.x..<(box.x + box.width) { image[channel, y, x] = value }
            }
        }
    }
}
