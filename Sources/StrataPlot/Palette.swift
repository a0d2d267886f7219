/// An ordered list of distinct colours for series and categories; indices past the end wrap around.
///
///     let palette = Palette.tab10
///     palette[0]   // blue, palette[1] orange, palette[10] blue again
public struct Palette: Sendable, Equatable {
    /// The colours in order; never empty.
    public let colors: [Color]

    /// A palette from a non-empty list of colours (an empty list gives `tab10`).
    public init(_ colors: [Color]) {
        self.colors = colors.isEmpty ? Palette.tab10.colors : colors
    }

    /// The colour for series or category `index`, cycling through the list.
    public subscript(index: Int) -> Color {
        let n = colors.count
        return colors[((index % n) + n) % n]
    }

    /// matplotlib's default ten-colour qualitative palette ("tab10").
    public static let tab10 = Palette([
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
        0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    ].map { Color(hex: $0) })

    /// A colour-blind-friendly eight-colour palette (Okabe & Ito).
    public static let okabeIto = Palette([
        0x0072b2, 0xe69f00, 0x009e73, 0xd55e00, 0xcc79a7, 0x56b4e9, 0xf0e442, 0x000000,
    ].map { Color(hex: $0) })
}
