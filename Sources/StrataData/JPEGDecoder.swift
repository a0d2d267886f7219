import CStrataImage
import Foundation

/// Decodes JPEG files through libjpeg-turbo (the C shim in CStrataImage turns libjpeg's errors into messages).
///
/// libjpeg converts to the requested colour space itself: YCbCr to grey keeps the luma (Y) channel, grey to
/// RGB copies it. CMYK and YCCK files are refused. A truncated file, which libjpeg pads with grey and only
/// warns about, is refused like any other corrupt one.
enum JPEGDecoder {
    /// Decodes `bytes` (a whole JPEG file, named `file` in errors) into planes `(C, H, W)`, C = 1 or 3 (`color`).
    static func decode(_ bytes: [UInt8], file: String, color: Bool) throws -> DecodedImage {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0
        var height: Int32 = 0
        var channels: Int32 = 0
        let capacity = 512
        var message = [CChar](repeating: 0, count: capacity)
        let status = bytes.withUnsafeBufferPointer { buffer in
            strata_jpeg_decode(buffer.baseAddress, buffer.count, color ? 1 : 0, &pixels, &width, &height, &channels,
                               &message, capacity)
        }
        guard status == 0, let pixels else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DataError.badImage(file: file, reason: "not a readable JPEG: \(reason)")
        }
        defer { strata_image_free(pixels) }
        let count = Int(width) * Int(height) * Int(channels)
        let samples = [UInt8](UnsafeBufferPointer(start: pixels, count: count))
        return DecodedImage(pixels: ImageFolderDataset.planes(fromInterleaved: samples, channels: Int(channels), color: color),
                            channels: color ? 3 : 1, height: Int(height), width: Int(width), format: .jpeg)
    }
}
