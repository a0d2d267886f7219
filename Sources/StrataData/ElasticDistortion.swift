import Foundation
import StrataCore

/// Elastic distortion (Simard, Steinkraus & Platt, 2003): every pixel is moved by a random displacement field
/// smoothed by a Gaussian of width `sigma` and scaled by `alpha`, then the image is sampled bilinearly there.
///
/// Small `sigma` gives noise-like jitter; large `sigma` gives smooth, stroke-bending warps. For 28×28 digits
/// `alpha` 34 and `sigma` 4 are a common choice. `alpha` 0 leaves the image unchanged.
public struct ElasticDistortion: ImageAugmentation {
    /// The displacement's scale in pixels (before smoothing shrinks it).
    public var alpha: Float
    /// The standard deviation of the Gaussian that smooths the field, in pixels.
    public var sigma: Float

    /// A distortion with the given strength and smoothness.
    public init(alpha: Float = 34, sigma: Float = 4) {
        precondition(sigma > 0, "ElasticDistortion: sigma \(sigma) must be positive")
        self.alpha = alpha
        self.sigma = sigma
    }

    /// Draws a displacement field `(H, W)` for x and one for y: uniform in [−1, 1], smoothed, times `alpha`.
    public func displacement(height: Int, width: Int, using generator: inout RandomGenerator) -> (dx: [Float], dy: [Float]) {
        let count = height * width
        var dx = (0..<count).map { _ in 2 * generator.nextUniform() - 1 }
        var dy = (0..<count).map { _ in 2 * generator.nextUniform() - 1 }
        let kernel = gaussianKernel()
        smooth(&dx, height: height, width: width, kernel: kernel)
        smooth(&dy, height: height, width: width, kernel: kernel)
        for index in 0..<count {
            dx[index] *= alpha
            dy[index] *= alpha
        }
        return (dx, dy)
    }

    /// Moves every pixel of `image` by a freshly drawn displacement field.
    public func apply(to image: inout FloatImage, using generator: inout RandomGenerator) {
        let (dx, dy) = displacement(height: image.height, width: image.width, using: &generator)
        if alpha == 0 { return }
        let width = image.width
        image = image.resampled { x, y in
            (Float(x) + dx[y * width + x], Float(y) + dy[y * width + x])
        }
    }

    /// A normalized 1-D Gaussian reaching out `ceil(3σ)` pixels each side.
    func gaussianKernel() -> [Float] {
        let radius = Int((3 * sigma).rounded(.up))
        let weights = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// Separable Gaussian smoothing of a field `(H, W)`, repeating the edge pixels beyond the border.
    ///
    /// Each pass adds shifted copies of a row, weight by weight, so the inner loops run over contiguous
    /// memory and vectorize.
    func smooth(_ field: inout [Float], height: Int, width: Int, kernel: [Float]) {
        let radius = kernel.count / 2
        var padded = [Float](repeating: 0, count: width + 2 * radius)
        var rows = [Float](repeating: 0, count: field.count)
        // Along x: rows[y, x] = Σ_k w[k] · field[y, clamp(x + k)].
        for y in 0..<height {
            for x in 0..<(width + 2 * radius) { padded[x] = field[y * width + min(max(x - radius, 0), width - 1)] }
            padded.withUnsafeBufferPointer { source in
                rows.withUnsafeMutableBufferPointer { rows in
                    let output = rows.baseAddress! + y * width
                    for (k, weight) in kernel.enumerated() {
                        for x in 0..<width { output[x] += weight * source[x &+ k] }
                    }
                }
            }
        }
        // Along y: field[y, x] = Σ_k w[k] · rows[clamp(y + k), x].
        rows.withUnsafeBufferPointer { rows in
            field.withUnsafeMutableBufferPointer { field in
                for y in 0..<height {
                    let output = field.baseAddress! + y * width
                    for x in 0..<width { output[x] = 0 }
                    for (k, weight) in kernel.enumerated() {
                        let source = rows.baseAddress! + min(max(y + k - radius, 0), height - 1) * width
                        for x in 0..<width { output[x] += weight * source[x] }
                    }
                }
            }
        }
    }
}
