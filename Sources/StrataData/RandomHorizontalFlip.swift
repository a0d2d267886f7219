import StrataCore

/// Mirrors an image left to right with probability `probability` (torchvision's `RandomHorizontalFlip`).
///
/// Suited to faces and most natural images; not to digits or text, whose mirror image is another symbol.
/// One random value is drawn per image.
public struct RandomHorizontalFlip: ImageAugmentation {
    /// The chance that an image is mirrored.
    public var probability: Float

    /// A flip taken with chance `probability` (default ½).
    public init(probability: Float = 0.5) {
        precondition((0...1).contains(probability), "RandomHorizontalFlip: probability \(probability) is not in [0, 1]")
        self.probability = probability
    }

    /// Mirrors `image` (every channel) when the draw falls under `probability`.
    public func apply(to image: inout FloatImage, using generator: inout RandomGenerator) {
        guard generator.nextUniform() < probability else { return }
        let width = image.width
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for row in 0..<(image.channels * image.height) {
                let start = row * width
                var left = start, right = start + width - 1
                while left < right {
                    pixels.swapAt(left, right)
                    left += 1
                    right -= 1
                }
            }
        }
    }
}
