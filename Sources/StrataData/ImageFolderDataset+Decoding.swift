import Foundation

/// One decoded image: planes `(C, H, W)` with C = 1 (luma) or 3 (RGB), and the format it was stored in.
struct DecodedImage {
    /// The pixels as planes `(C, H, W)`.
    var pixels: [UInt8]
    /// 1 or 3.
    var channels: Int
    /// Height `H`.
    var height: Int
    /// Width `W`.
    var width: Int
    /// The file's format, recognised by its first bytes.
    var format: ImageFileFormat
}

extension ImageFolderDataset {
    /// Decodes one image file of any supported format into planes `(C, H, W)`: C = 1 (luma) or, with `color`, 3 (RGB).
    ///
    /// The format is recognised by the file's first bytes, not its name. An empty, unrecognised, corrupt or
    /// truncated file is refused with a `DataError.badImage` naming the file and the reason.
    public static func decodeImage(_ url: URL, color: Bool = false) throws -> (pixels: [UInt8], height: Int, width: Int) {
        let image = try decodeFile(url, color: color)
        return (image.pixels, image.height, image.width)
    }

    /// Decodes `url` by its content, keeping the format found.
    static func decodeFile(_ url: URL, color: Bool) throws -> DecodedImage {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: url))
        } catch {
            throw DataError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        guard !bytes.isEmpty else {
            throw DataError.badImage(file: url.path, reason: "empty file (0 bytes)")
        }
        guard let format = ImageFileFormat(signature: bytes) else {
            let start = bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw DataError.badImage(file: url.path, reason: "not a supported image: starts with \(start);"
                + " expected \(ImageFileFormat.supportedList)")
        }
        switch format {
        case .pgm, .ppm:
            return try PNMDecoder.decode(bytes, file: url.path, color: color)
        case .png:
            let image = try decodePNG(url, bytes: bytes, color: color)
            return DecodedImage(pixels: image.pixels, channels: color ? 3 : 1, height: image.height,
                                width: image.width, format: .png)
        case .jpeg:
            return try JPEGDecoder.decode(bytes, file: url.path, color: color)
        }
    }

    /// Interleaved samples (`channels` = 1 or 3 per pixel) as planes `(C, H, W)`: grey copied to three planes
    /// when `color`, RGB reduced to luma when not.
    static func planes(fromInterleaved samples: [UInt8], channels: Int, color: Bool) -> [UInt8] {
        precondition(channels == 1 || channels == 3, "planes(fromInterleaved:): 1 or 3 channels, got \(channels)")
        let count = samples.count / channels
        switch (channels, color) {
        case (1, false):
            return samples
        case (1, true):
            return samples + samples + samples
        case (_, true):
            var planes = [UInt8](repeating: 0, count: 3 * count)
            for pixel in 0..<count {
                for channel in 0..<3 { planes[channel * count + pixel] = samples[3 * pixel + channel] }
            }
            return planes
        default:
            return (0..<count).map { luma(samples[3 * $0], samples[3 * $0 + 1], samples[3 * $0 + 2]) }
        }
    }

    /// ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B, rounded.
    static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let weighted: Int = 299 * Int(r) + 587 * Int(g) + 114 * Int(b)
        return UInt8((weighted + 500) / 1000)
    }
}
