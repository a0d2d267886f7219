import Foundation
import StrataCore

/// One image as floats, planes `(C, H, W)`, usually on the [0, 1] scale: what augmentations work on.
///
/// ```swift
/// var image = FloatImage(bytes: dataset.image(at: 0), channels: 1, height: 28, width: 28)
/// RandomAffine(rotationDegrees: 10).apply(to: &image, using: &generator)
/// ```
public struct FloatImage: Equatable, Sendable {
    /// The pixels, row-major `(C, H, W)`.
    public var pixels: [Float]
    /// Channels `C`.
    public let channels: Int
    /// Height `H`.
    public let height: Int
    /// Width `W`.
    public let width: Int

    /// An image over `pixels` laid out `(C, H, W)`.
    public init(pixels: [Float], channels: Int = 1, height: Int, width: Int) {
        precondition(pixels.count == channels * height * width,
                     "FloatImage: \(channels)×\(height)×\(width) needs \(channels * height * width) pixels, got \(pixels.count)")
        self.pixels = pixels
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// A black image.
    public init(channels: Int = 1, height: Int, width: Int) {
        self.init(pixels: [Float](repeating: 0, count: channels * height * width), channels: channels,
                  height: height, width: width)
    }

    /// An image from bytes `(C, H, W)`, scaled from 0…255 to 0…1.
    public init<Bytes: Collection>(bytes: Bytes, channels: Int = 1, height: Int, width: Int) where Bytes.Element == UInt8 {
        self.init(pixels: bytes.map { Float($0) * (1 / 255) }, channels: channels, height: height, width: width)
    }

    /// The pixel at `(channel, y, x)`.
    public subscript(channel: Int, y: Int, x: Int) -> Float {
        get { pixels[(channel * height + y) * width + x] }
        set { pixels[(channel * height + y) * width + x] = newValue }
    }

    /// The pixels as bytes, scaled from 0…1 to 0…255, rounded and clamped.
    public func bytes() -> [UInt8] {
        pixels.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
    }

    /// The centre of the pixel grid, `((W - 1) / 2, (H - 1) / 2)`: the point transforms turn and scale about.
    public var center: (x: Float, y: Float) { (Float(width - 1) / 2, Float(height - 1) / 2) }

    /// The value at a real position by bilinear interpolation of the four nearest pixels; outside is 0.
    ///
    /// At whole-number positions this is exactly the pixel there.
    @inline(__always)
    public func bilinear(channel: Int, x: Float, y: Float) -> Float {
        pixels.withUnsafeBufferPointer { buffer in
            FloatImage.bilinear(buffer.baseAddress! + channel * height * width, height: height, width: width, x: x, y: y)
        }
    }

    /// A new image whose pixel `(x, y)` is this image sampled bilinearly at `sourceOf(x, y)`, in every channel.
    public func resampled(_ sourceOf: (_ x: Int, _ y: Int) -> (x: Float, y: Float)) -> FloatImage {
        var output = [Float](repeating: 0, count: pixels.count)
        let plane = height * width
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                for y in 0..<height {
                    for x in 0..<width {
                        let (sx, sy) = sourceOf(x, y)
                        for channel in 0..<channels {
                            destination[channel * plane + y * width + x] = FloatImage.bilinear(
                                source.baseAddress! + channel * plane, height: height, width: width, x: sx, y: sy)
                        }
                    }
                }
            }
        }
        return FloatImage(pixels: output, channels: channels, height: height, width: width)
    }

    /// Bilinear sampling of one plane `(H, W)` with zero outside it.
    ///
    /// The same arithmetic as `referenceBilinear` (tested bit for bit), faster: the floor is a
    /// truncation instead of a libm call (Swift's baseline x86-64 has no `roundss`), and the four
    /// pixels are read without bounds tests when all of them lie inside the plane.
    @inline(__always)
    static func bilinear(_ plane: UnsafePointer<Float>, height: Int, width: Int, x: Float, y: Float) -> Float {
        // Far outside (or NaN): nothing to sample; also keeps the integer parts in range.
        guard x > -1 && x < Float(width) && y > -1 && y < Float(height) else { return 0 }
        // floor for values in (−1, size): truncation, one less below zero.
        let x0 = x < 0 ? -1 : Int(x), y0 = y < 0 ? -1 : Int(y)
        let fx = x - Float(x0), fy = y - Float(y0)
        if x0 >= 0 && x0 + 1 < width && y0 >= 0 && y0 + 1 < height {
            let corner = plane + y0 * width + x0
            let top = corner[0] * (1 - fx) + (fx == 0 ? 0 : corner[1] * fx)
            if fy == 0 { return top }
            let bottom = corner[width] * (1 - fx) + (fx == 0 ? 0 : corner[width + 1] * fx)
            return top * (1 - fy) + bottom * fy
        }
        @inline(__always) func at(_ px: Int, _ py: Int) -> Float {
            (px >= 0 && px < width && py >= 0 && py < height) ? plane[py * width + px] : 0
        }
        let top = at(x0, y0) * (1 - fx) + (fx == 0 ? 0 : at(x0 + 1, y0) * fx)
        if fy == 0 { return top }
        let bottom = at(x0, y0 + 1) * (1 - fx) + (fx == 0 ? 0 : at(x0 + 1, y0 + 1) * fx)
        return top * (1 - fy) + bottom * fy
    }

    /// The plain bilinear sampling `bilinear` must equal: floor by `rounded(.down)`, every pixel read
    /// through a bounds test.
    static func referenceBilinear(_ plane: UnsafePointer<Float>, height: Int, width: Int, x: Float, y: Float) -> Float {
        guard x > -1 && x < Float(width) && y > -1 && y < Float(height) else { return 0 }
        let x0f = x.rounded(.down), y0f = y.rounded(.down)
        let x0 = Int(x0f), y0 = Int(y0f)
        let fx = x - x0f, fy = y - y0f
        func at(_ px: Int, _ py: Int) -> Float {
            (px >= 0 && px < width && py >= 0 && py < height) ? plane[py * width + px] : 0
        }
        let top = at(x0, y0) * (1 - fx) + (fx == 0 ? 0 : at(x0 + 1, y0) * fx)
        if fy == 0 { return top }
        let bottom = at(x0, y0 + 1) * (1 - fx) + (fx == 0 ? 0 : at(x0 + 1, y0 + 1) * fx)
        return top * (1 - fy) + bottom * fy
    }
}
