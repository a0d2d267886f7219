/// The im2col / col2im rearrangements that turn a 2-D convolution into matrix products.
///
/// For a chunk of B images, the column matrix `col` has one row per (c, ky, kx), i.e.
/// C·KH·KW rows, and one column per (b, oy, ox), i.e. B·OH·OW columns:
/// `col[(c·KH + ky)·KW + kx, (b·OH + oy)·OW + ox] = input[b, c, oy·sy − py + ky·dy, ox·sx − px + kx·dx]`
/// (zero where that falls in the padding). Rows of one group are consecutive, so group g's block is
/// rows g·(C/groups)·KH·KW ..< (g+1)·(C/groups)·KH·KW.
enum Im2Col {
    /// Fills `col` (C·KH·KW, images·OH·OW) from `images` consecutive images of `input` (images, C, H, W).
    static func pack(_ g: Conv2DGeometry, input: UnsafePointer<Float>, images: Int,
                     col: UnsafeMutablePointer<Float>) {
        let outHeight = g.outHeight, outWidth = g.outWidth
        let plane = g.height * g.width, imageSize = g.inChannels * plane
        let outPlane = outHeight * outWidth, rowLength = images * outPlane
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth
        let width = g.width, height = g.height, strideY = g.strideY, strideX = g.strideX
        ThreadPolicy.parallelFor(count: rows, minimumPerThread: max(1, (1 << 14) / rowLength)) { range in
            for row in range {
                let kx = row % g.kernelWidth, ky = (row / g.kernelWidth) % g.kernelHeight
                let channel = row / (g.kernelWidth * g.kernelHeight)
                let shiftX = kx * g.dilationX - g.padX, shiftY = ky * g.dilationY - g.padY
                let (low, high) = validRange(shift: shiftX, stride: strideX, size: width, outSize: outWidth)
                for image in 0..<images {
                    let source = input + image * imageSize + channel * plane
                    var destination = col + row * rowLength + image * outPlane
                    for oy in 0..<outHeight {
                        let iy = oy * strideY + shiftY
                        if iy < 0 || iy >= height || low >= high {
                            destination.update(repeating: 0, count: outWidth)
                        } else {
                            let sourceRow = source + iy * width + shiftX
                            if low > 0 { destination.update(repeating: 0, count: low) }
                            if strideX == 1 {
                                (destination + low).update(from: sourceRow + low, count: high - low)
                            } else {
                                for ox in low..<high { destination[ox] = sourceRow[ox * strideX] }
                            }
                            if high < outWidth { (destination + high).update(repeating: 0, count: outWidth - high) }
                        }
                        destination += outWidth
                    }
                }
            }
        }
    }

    /// Overwrites `output` (images, C, H, W) with the sum, at each input position, of the entries of
    /// `col` (C·KH·KW, images·OH·OW) that `pack` would have copied from it (col2im).
    static func unpack(_ g: Conv2DGeometry, col: UnsafePointer<Float>, images: Int,
                       output: UnsafeMutablePointer<Float>) {
        let outHeight = g.outHeight, outWidth = g.outWidth
        let plane = g.height * g.width
        let outPlane = outHeight * outWidth, rowLength = images * outPlane
        let width = g.width, height = g.height, strideY = g.strideY, strideX = g.strideX
        let kernelArea = g.kernelHeight * g.kernelWidth
        let planes = images * g.inChannels
        ThreadPolicy.parallelFor(count: planes, minimumPerThread: max(1, (1 << 14) / (plane * kernelArea))) { range in
            for planeIndex in range {
                let image = planeIndex / g.inChannels, channel = planeIndex % g.inChannels
                let destination = output + planeIndex * plane
                destination.update(repeating: 0, count: plane)
                for ky in 0..<g.kernelHeight {
                    let shiftY = ky * g.dilationY - g.padY
                    for kx in 0..<g.kernelWidth {
                        let shiftX = kx * g.dilationX - g.padX
                        let (low, high) = validRange(shift: shiftX, stride: strideX, size: width, outSize: outWidth)
                        if low >= high { continue }
                        let row = (channel * g.kernelHeight + ky) * g.kernelWidth + kx
                        var source = col + row * rowLength + image * outPlane
                        for oy in 0..<outHeight {
                            let iy = oy * strideY + shiftY
                            if iy >= 0 && iy < height {
                                let destinationRow = destination + iy * width + shiftX
                                if strideX == 1 {
                                    for ox in low..<high { destinationRow[ox] += source[ox] }
                                } else {
                                    for ox in low..<high { destinationRow[ox * strideX] += source[ox] }
                                }
                            }
                            source += outWidth
                        }
                    }
                }
            }
        }
    }

    /// The output positions `low ..< high` (within `0 ..< outSize`) whose input position
    /// `o · stride + shift` lies inside `0 ..< size`.
    @inline(__always)
    static func validRange(shift: Int, stride: Int, size: Int, outSize: Int) -> (Int, Int) {
        let low = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let high = size - shift <= 0 ? 0 : (size - shift + stride - 1) / stride
        let clampedLow = min(low, outSize)
        return (clampedLow, max(clampedLow, min(high, outSize)))
    }
}
