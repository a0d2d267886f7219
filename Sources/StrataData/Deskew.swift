import Foundation
import StrataCore

/// "Align": straightens a slanted image by its moments, the classic MNIST deskew.
///
/// The image's intensity is treated as a mass: with centre of mass `(x̄, ȳ)`, `var(y)` and `cov(x, y)`, the
/// slant is `α = cov(x, y) / var(y)` and the image is sheared by `−α` about its centre of mass,
/// `x′ = x − α·(y − ȳ)`. With `recenter` (the default, as in the classic code) the centre of mass is also
/// moved to the image centre. Deterministic: the generator is not used.
///
/// ```swift
/// let aligned = mnist.deskewed()              // once, for the whole dataset
/// let loader = DataLoader(mnist, batchSize: 64, augmentations: [Deskew()])   // or on the fly
/// ```
public struct Deskew: ImageAugmentation {
    /// Whether to move the centre of mass to the image centre as well.
    public var recenter: Bool

    /// A deskew, recentring by default.
    public init(recenter: Bool = true) {
        self.recenter = recenter
    }

    /// The intensity moments of `image` (all channels summed): mass, centre of mass, `var(y)`, `cov(x, y)`.
    public static func moments(of image: FloatImage)
        -> (mass: Float, centerX: Float, centerY: Float, varianceY: Float, covarianceXY: Float) {
        var mass: Double = 0, sumX: Double = 0, sumY: Double = 0
        for channel in 0..<image.channels {
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let value = Double(image[channel, y, x])
                    mass += value
                    sumX += value * Double(x)
                    sumY += value * Double(y)
                }
            }
        }
        guard mass > 0 else { return (0, image.center.x, image.center.y, 0, 0) }
        let meanX = sumX / mass, meanY = sumY / mass
        var varianceY: Double = 0, covariance: Double = 0
        for channel in 0..<image.channels {
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let value = Double(image[channel, y, x])
                    varianceY += value * (Double(y) - meanY) * (Double(y) - meanY)
                    covariance += value * (Double(x) - meanX) * (Double(y) - meanY)
                }
            }
        }
        return (Float(mass), Float(meanX), Float(meanY), Float(varianceY / mass), Float(covariance / mass))
    }

    /// The slant `cov(x, y) / var(y)`: how far x moves per pixel down (0 for an empty or flat image).
    public static func skew(of image: FloatImage) -> Float {
        let m = moments(of: image)
        return m.varianceY > 1e-6 ? m.covarianceXY / m.varianceY : 0
    }

    /// The transform that straightens `image`: a shear by `−α` about the centre of mass (then recentring).
    public func transform(for image: FloatImage) -> AffineTransform {
        let m = Deskew.moments(of: image)
        guard m.mass > 0 else { return .identity }
        let alpha = m.varianceY > 1e-6 ? m.covarianceXY / m.varianceY : 0
        // p′ = A·(p − m) + target with A = [[1, −α], [0, 1]]; as a map about the image centre c that is
        // p′ = A·(p − c) + c + t with t = A·(c − m) + target − c.
        let c = image.center
        let target: (x: Float, y: Float) = recenter ? c : (m.centerX, m.centerY)
        let (ox, oy) = (c.x - m.centerX, c.y - m.centerY)
        return AffineTransform(a: 1, b: -alpha, c: 0, d: 1,
                               tx: ox - alpha * oy + target.x - c.x, ty: oy + target.y - c.y)
    }

    /// A straightened copy of `image`.
    public func deskewed(_ image: FloatImage) -> FloatImage {
        transform(for: image).warp(image)
    }

    /// Straightens `image` in place (the generator is not used).
    public func apply(to image: inout FloatImage, using generator: inout RandomGenerator) {
        image = deskewed(image)
    }
}

extension Dataset {
    /// A copy with every image deskewed ("aligned") by its moments; done once, on all cores.
    public func deskewed(recenter: Bool = true) -> Dataset {
        let deskew = Deskew(recenter: recenter)
        let size = pixelsPerImage
        let (channels, height, width, count) = (self.channels, self.height, self.width, self.count)
        var output = [UInt8](repeating: 0, count: images.count)
        images.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                // Contiguous ranges per thread: no shared reference counts touched per image.
                let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 64))
                let chunk = (count + parts - 1) / parts
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    for index in (part * chunk)..<min((part + 1) * chunk, count) {
                        let pixels = UnsafeBufferPointer(rebasing: source[(index * size)..<((index + 1) * size)])
                        let image = FloatImage(bytes: pixels, channels: channels, height: height, width: width)
                        let straightened = deskew.deskewed(image).bytes()
                        for offset in 0..<size { destination[index * size + offset] = straightened[offset] }
                    }
                }
            }
        }
        var result = self
        result.images = output
        return result
    }
}
