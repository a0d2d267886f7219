import Foundation

/// An opaque sRGB colour with components in 0…1.
///
///     let orange = Color(hex: 0xff7f0e)
///     let text = orange.luminance > 0.4 ? Color.black : Color.white
public struct Color: Sendable, Equatable, Hashable {
    /// Red component, 0…1.
    public var red: Double
    /// Green component, 0…1.
    public var green: Double
    /// Blue component, 0…1.
    public var blue: Double

    /// A colour from components in 0…1 (values outside are clamped).
    public init(red: Double, green: Double, blue: Double) {
        self.red = Self.clamp(red)
        self.green = Self.clamp(green)
        self.blue = Self.clamp(blue)
    }

    /// A colour from a 24-bit `0xRRGGBB` value, as written in CSS without the `#`.
    public init(hex: UInt32) {
        self.init(red: Double((hex >> 16) & 0xff) / 255,
                  green: Double((hex >> 8) & 0xff) / 255,
                  blue: Double(hex & 0xff) / 255)
    }

    /// A gray with the given lightness, 0 (black) … 1 (white).
    public init(gray: Double) {
        self.init(red: gray, green: gray, blue: gray)
    }

    /// Pure black.
    public static let black = Color(gray: 0)
    /// Pure white.
    public static let white = Color(gray: 1)
    /// The near-black used for titles, labels and text on light cells.
    public static let text = Color(hex: 0x222222)
    /// The dark gray of axis lines and tick marks.
    public static let axis = Color(hex: 0x555555)
    /// The light gray of grid lines.
    public static let grid = Color(hex: 0xe6e6e6)

    /// Relative luminance (WCAG), 0 for black … 1 for white; picks readable text colours.
    public var luminance: Double {
        func linear(_ c: Double) -> Double {
            c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// The text colour (near-black or white) that reads best on this colour as a background.
    public var contrastingText: Color {
        // Contrast ratio against white vs. against the dark text colour; pick the larger.
        let l = luminance
        let onWhite = 1.05 / (l + 0.05)
        let onDark = (l + 0.05) / (Color.text.luminance + 0.05)
        return onDark >= onWhite ? .text : .white
    }

    /// The colour a fraction `t` (0…1) of the way from `self` to `other`.
    public func mixed(with other: Color, _ t: Double) -> Color {
        let t = Self.clamp(t)
        return Color(red: red + (other.red - red) * t,
                     green: green + (other.green - green) * t,
                     blue: blue + (other.blue - blue) * t)
    }

    private static func clamp(_ v: Double) -> Double {
        v.isNaN ? 0 : min(1, max(0, v))
    }
}
