/// A continuous colour scale for heatmaps: `color(at: 0)` is the low end, `color(at: 1)` the high end.
///
///     let map = Colormap.viridis
///     map.color(at: 0.5)   // a teal green
public struct Colormap: Sendable, Equatable {
    /// Evenly spaced colour stops, interpolated linearly in sRGB; at least two.
    public let stops: [Color]

    /// A colormap through the given evenly spaced stops (one stop gives a flat colour).
    public init(stops: [Color]) {
        switch stops.count {
        case 0: self.stops = [.white, .black]
        case 1: self.stops = [stops[0], stops[0]]
        default: self.stops = stops
        }
    }

    /// The colour at position `t` in 0…1 (clamped; NaN gives the low end).
    public func color(at t: Double) -> Color {
        let t = t.isNaN ? 0 : min(1, max(0, t))
        let scaled = t * Double(stops.count - 1)
        let i = min(Int(scaled), stops.count - 2)
        return stops[i].mixed(with: stops[i + 1], scaled - Double(i))
    }

    /// A reversed copy: high values get the low-end colour.
    public var reversed: Colormap { Colormap(stops: stops.reversed()) }

    /// matplotlib's perceptually uniform "viridis" (dark purple → yellow).
    public static let viridis = Colormap(stops: [
        0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e,
        0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725,
    ].map { Color(hex: $0) })

    /// matplotlib's sequential "Blues" (near-white → dark blue), the usual confusion-matrix map.
    public static let blues = Colormap(stops: [
        0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b,
    ].map { Color(hex: $0) })

    /// White → black.
    public static let grays = Colormap(stops: [.white, .black])
}
