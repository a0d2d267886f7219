import Foundation

/// The image file formats Strata reads, recognised by a file's first bytes rather than by its name.
public enum ImageFileFormat: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Netpbm greymap: ASCII `P2` or binary `P5`, maxval 1…65535.
    case pgm = "PGM"
    /// Netpbm pixmap: ASCII `P3` or binary `P6`, maxval 1…65535.
    case ppm = "PPM"
    /// PNG, decoded by cairo (libpng underneath).
    case png = "PNG"
    /// JPEG, decoded by libjpeg-turbo.
    case jpeg = "JPEG"

    /// Extensions (lowercase, no dot) of the files taken from an image folder; other files are ignored.
    public static let fileExtensions: Set<String> = ["pgm", "pnm", "ppm", "png", "jpg", "jpeg"]

    /// The formats in words, for messages: `PGM (P2, P5), PPM (P3, P6), PNG or JPEG`.
    public static let supportedList = "PGM (P2, P5), PPM (P3, P6), PNG or JPEG"

    /// The format whose signature starts `bytes`, or nil when it is none Strata reads.
    public init?(signature bytes: [UInt8]) {
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "P") {
            switch bytes[1] {
            case UInt8(ascii: "2"), UInt8(ascii: "5"): self = .pgm
            case UInt8(ascii: "3"), UInt8(ascii: "6"): self = .ppm
            default: return nil
            }
        } else if bytes.starts(with: pngSignature) {
            self = .png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else {
            return nil
        }
    }

    /// Whether `url`'s name ends in one of `fileExtensions`, in any case (`1.PGM`, `a.Jpeg`).
    public static func hasImageExtension(_ url: URL) -> Bool {
        fileExtensions.contains(url.pathExtension.lowercased())
    }

    /// The format's name: `PGM`, `PPM`, `PNG`, `JPEG`.
    public var description: String { rawValue }
}
