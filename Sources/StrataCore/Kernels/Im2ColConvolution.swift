import CBLAS

/// 2-D convolution as im2col + OpenBLAS `sgemm`, over chunks of images so the column matrix stays
/// near `chunkElements` floats.
///
/// For a chunk of B images with P = OH·OW and K = (C/groups)·KH·KW, per group:
/// forward `Y (O/groups, B·P) = W (O/groups, K) · col (K, B·P)`;
/// backward weights `dW += dY (O/groups, B·P) · colᵀ`; backward data `dcol = Wᵀ · dY`, then col2im.
/// `Y` and `dY` are kept as (O, B·P) matrices and moved to and from (B, O, P) with one copy each.
enum Im2ColConvolution {
    /// The target size of the column matrix of one chunk, in floats (8 MiB).
    static let chunkElements = 1 << 21

    /// The number of images per chunk for this geometry.
    static func imagesPerChunk(_ g: Conv2DGeometry) -> Int {
        let columnFloatsPerImage = g.inChannels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth
        return max(1, min(g.batch, chunkElements / max(columnFloatsPerImage, 1)))
    }

    /// output (N, O, OH, OW) = input ⋆ weight + bias.
    static func forward(_ g: Conv2DGeometry, input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                        bias: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        ThreadPolicy.ensureConfigured()
        let chunk = imagesPerChunk(g)
        let outPlane = g.outHeight * g.outWidth, imageSize = g.inChannels * g.height * g.width
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth
        let col = TensorStorage(uninitializedCount: rows * chunk * outPlane)
        let product = TensorStorage(uninitializedCount: g.outChannels * chunk * outPlane)
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = min(chunk, g.batch - first)
            Im2Col.pack(g, input: input + first * imageSize, images: images, col: col.pointer)
            multiplyWeight(g, weight: weight, col: col.pointer, columns: images * outPlane, product: product.pointer)
            scatter(g, product: product.pointer, images: images, bias: bias,
                    output: output + first * g.outChannels * outPlane)
        }
    }

    /// The gradients with respect to the input (N, C, H, W), the weight (O, C/groups, KH, KW) and the
    /// bias (O), each computed only when its pointer is given (all overwritten).
    static func backward(_ g: Conv2DGeometry, input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                         gradOutput: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?) {
        ThreadPolicy.ensureConfigured()
        let chunk = imagesPerChunk(g)
        let outPlane = g.outHeight * g.outWidth, imageSize = g.inChannels * g.height * g.width
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth
        let groupRows = rows / g.groups, groupOut = g.groupOutChannels
        let col = TensorStorage(uninitializedCount: rows * chunk * outPlane)
        let gathered = TensorStorage(uninitializedCount: g.outChannels * chunk * outPlane)
        if let gradBias { gradBias.update(repeating: 0, count: g.outChannels) }
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = min(chunk, g.batch - first)
            let columns = images * outPlane
            gather(g, gradOutput: gradOutput + first * g.outChannels * outPlane, images: images,
                   gathered: gathered.pointer)
            if let gradBias { addRowSums(gathered.pointer, rows: g.outChannels, columns: columns, into: gradBias) }
            if let gradWeight {
                Im2Col.pack(g, input: input + first * imageSize, images: images, col: col.pointer)
                for group in 0..<g.groups {
                    // dW_g (O/groups, K) (+)= dY_g (O/groups, B·P) · col_gᵀ (B·P, K)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(groupOut), Int32(groupRows),
                                Int32(columns), 1, gathered.pointer + group * groupOut * columns, Int32(columns),
                                col.pointer + group * groupRows * columns, Int32(columns), first == 0 ? 0 : 1,
                                gradWeight + group * groupOut * groupRows, Int32(groupRows))
                }
            }
            if let gradInput {
                for group in 0..<g.groups {
                    // dcol_g (K, B·P) = W_gᵀ (K, O/groups) · dY_g (O/groups, B·P)
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(groupRows), Int32(columns),
                                Int32(groupOut), 1, weight + group * groupOut * groupRows, Int32(groupRows),
                                gathered.pointer + group * groupOut * columns, Int32(columns), 0,
                                col.pointer + group * groupRows * columns, Int32(columns))
                }
                Im2Col.unpack(g, col: col.pointer, images: images, output: gradInput + first * imageSize)
            }
        }
    }

    /// product (O, columns) = W_g · col_g for every group g.
    private static func multiplyWeight(_ g: Conv2DGeometry, weight: UnsafeMutablePointer<Float>,
                                       col: UnsafeMutablePointer<Float>, columns: Int,
                                       product: UnsafeMutablePointer<Float>) {
        let groupRows = g.groupInChannels * g.kernelHeight * g.kernelWidth, groupOut = g.groupOutChannels
        for group in 0..<g.groups {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(groupOut), Int32(columns), Int32(groupRows),
                        1, weight + group * groupOut * groupRows, Int32(groupRows),
                        col + group * groupRows * columns, Int32(columns), 0,
                        product + group * groupOut * columns, Int32(columns))
        }
    }

    /// output (images, O, P) = product (O, images·P) rearranged, plus bias (O).
    private static func scatter(_ g: Conv2DGeometry, product: UnsafeMutablePointer<Float>, images: Int,
                                bias: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let outPlane = g.outHeight * g.outWidth, channels = g.outChannels, columns = images * outPlane
        ThreadPolicy.parallelFor(count: images * channels, minimumPerThread: max(1, (1 << 14) / outPlane)) { range in
            for index in range {
                let image = index / channels, channel = index % channels
                let source = product + channel * columns + image * outPlane
                let destination = output + index * outPlane
                let shift = bias?[channel] ?? 0
                for p in 0..<outPlane { destination[p] = source[p] + shift }
            }
        }
    }

    /// gathered (O, images·P) = gradOutput (images, O, P) rearranged.
    private static func gather(_ g: Conv2DGeometry, gradOutput: UnsafeMutablePointer<Float>, images: Int,
                               gathered: UnsafeMutablePointer<Float>) {
        let outPlane = g.outHeight * g.outWidth, channels = g.outChannels, columns = images * outPlane
        ThreadPolicy.parallelFor(count: images * channels, minimumPerThread: max(1, (1 << 14) / outPlane)) { range in
            for index in range {
                let image = index / channels, channel = index % channels
                (gathered + channel * columns + image * outPlane).update(from: gradOutput + index * outPlane,
                                                                         count: outPlane)
            }
        }
    }

    /// sums[r] += Σ_j matrix[r, j] for a (rows, columns) matrix.
    private static func addRowSums(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                                   into sums: UnsafeMutablePointer<Float>) {
        for row in 0..<rows {
            let values = matrix + row * columns
            var total: Float = 0
            for j in 0..<columns { total += values[j] }
            sums[row] += total
        }
    }
}
