import Foundation

/// A 2-D affine map of image coordinates about the image centre: `p′ = A·(p − c) + c + t`.
///
/// `A = [[a, b], [c, d]]` acts on `(x, y)` with x to the right and y down; `t` is in pixels. `warp` moves
/// image content by this map, sampling bilinearly (zero outside the source).
///
/// ```swift
/// let moved = AffineTransform(translationX: 3, translationY: -2).warp(image)   // content 3 right, 2 up
/// ```
public struct AffineTransform: Equatable, Sendable {
    /// Matrix entry row 0, column 0.
    public var a: Float
    /// Matrix entry row 0, column 1.
    public var b: Float
    /// Matrix entry row 1, column 0.
    public var c: Float
    /// Matrix entry row 1, column 1.
    public var d: Float
    /// Translation along x in pixels (positive: right).
    public var tx: Float
    /// Translation along y in pixels (positive: down).
    public var ty: Float

    /// A map given by its matrix and translation.
    public init(a: Float, b: Float, c: Float, d: Float, tx: Float = 0, ty: Float = 0) {
        (self.a, self.b, self.c, self.d, self.tx, self.ty) = (a, b, c, d, tx, ty)
    }

    /// The map that leaves every point where it is.
    public static let identity = AffineTransform(a: 1, b: 0, c: 0, d: 1)

    /// Rotation (degrees, counter-clockwise on screen), then shear along x (degrees), uniform scale and a
    /// translation in pixels; all zero (scale 1) is the identity.
    public init(rotationDegrees: Float = 0, scale: Float = 1, shearDegrees: Float = 0,
                translationX: Float = 0, translationY: Float = 0) {
        let angle = rotationDegrees * .pi / 180
        let cosine = cos(angle), sine = sin(angle)
        let shear = tan(shearDegrees * .pi / 180)
        // R · S · scale, with R = [[cos, sin], [−sin, cos]] (y points down) and S = [[1, shear], [0, 1]].
        self.init(a: scale * cosine, b: scale * (cosine * shear + sine),
                  c: -scale * sine, d: scale * (cosine - sine * shear),
                  tx: translationX, ty: translationY)
        if rotationDegrees == 0 && shearDegrees == 0 { (b, c) = (0, 0) }
    }

    /// Where the point `(x, y)` goes, for an image whose centre is `center`.
    public func apply(x: Float, y: Float, center: (x: Float, y: Float)) -> (x: Float, y: Float) {
        let dx = x - center.x, dy = y - center.y
        return (a * dx + b * dy + center.x + tx, c * dx + d * dy + center.y + ty)
    }

    /// The map that undoes this one.
    public var inverted: AffineTransform {
        let determinant = a * d - b * c
        precondition(determinant != 0, "AffineTransform.inverted: the matrix [[\(a), \(b)], [\(c), \(d)]] is singular")
        let (ia, ib, ic, id) = (d / determinant, -b / determinant, -c / determinant, a / determinant)
        return AffineTransform(a: ia, b: ib, c: ic, d: id, tx: -(ia * tx + ib * ty), ty: -(ic * tx + id * ty))
    }

    /// `image` with its content moved by this map (each output pixel samples the source at the inverse map).
    public func warp(_ image: FloatImage) -> FloatImage {
        let inverse = inverted
        let center = image.center
        return image.resampled { x, y in inverse.apply(x: Float(x), y: Float(y), center: center) }
    }
}
