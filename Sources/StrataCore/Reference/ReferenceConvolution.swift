/// The plain-loop twin of the fast convolution kernels: the definition tests compare them against.
///
/// Every sum runs in Double over the textbook index formula
/// `y[n, o, oy, ox] = b[o] + Σ_{c, ky, kx} x[n, g·C/groups + c, iy, ix] · w[o, c, ky, kx]`
/// with `iy = oy·sy − py + ky·dy`, `ix = ox·sx − px + kx·dx` and g = o / (O/groups), reading zero
/// outside the input. Slow on purpose; use small shapes.
enum ReferenceConvolution {
    /// output (N, O, OH, OW) = input (N, C, H, W) ⋆ weight (O, C/groups, KH, KW) + bias (O).
    static func forward(_ g: Conv2DGeometry, input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let x = input.scalars, w = weight.scalars, b = bias?.scalars
        var y = [Float](repeating: 0, count: Tensor.elementCount(g.outputShape))
        forEachTap(g) { outputIndex, inputIndex, weightIndex, total in
            total += Double(x[inputIndex]) * Double(w[weightIndex])
        } finish: { outputIndex, o, total in
            y[outputIndex] = Float(total + Double(b?[o] ?? 0))
        }
        return Tensor(shape: g.outputShape, scalars: y)
    }

    /// The gradient with respect to the input (N, C, H, W), given the gradient of the output.
    static func backwardData(_ g: Conv2DGeometry, gradOutput: Tensor, weight: Tensor) -> Tensor {
        let dy = gradOutput.scalars, w = weight.scalars
        var dx = [Double](repeating: 0, count: Tensor.elementCount(g.inputShape))
        forEachTap(g) { outputIndex, inputIndex, weightIndex, _ in
            dx[inputIndex] += Double(dy[outputIndex]) * Double(w[weightIndex])
        } finish: { _, _, _ in }
        return Tensor(shape: g.inputShape, scalars: dx.map { Float($0) })
    }

    /// The gradient with respect to the weight (O, C/groups, KH, KW), given the gradient of the output.
    static func backwardWeight(_ g: Conv2DGeometry, gradOutput: Tensor, input: Tensor) -> Tensor {
        let dy = gradOutput.scalars, x = input.scalars
        var dw = [Double](repeating: 0, count: Tensor.elementCount(g.weightShape))
        forEachTap(g) { outputIndex, inputIndex, weightIndex, _ in
            dw[weightIndex] += Double(dy[outputIndex]) * Double(x[inputIndex])
        } finish: { _, _, _ in }
        return Tensor(shape: g.weightShape, scalars: dw.map { Float($0) })
    }

    /// The gradient with respect to the bias (O): the output gradient summed over N, OH and OW.
    static func backwardBias(_ g: Conv2DGeometry, gradOutput: Tensor) -> Tensor {
        let dy = gradOutput.scalars, plane = g.outHeight * g.outWidth
        var db = [Double](repeating: 0, count: g.outChannels)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for p in 0..<plane { db[o] += Double(dy[(n * g.outChannels + o) * plane + p]) }
            }
        }
        return Tensor(shape: [g.outChannels], scalars: db.map { Float($0) })
    }

    /// Visits every (output element, kernel tap) pair whose input position is inside the image:
    /// `accumulate(outputIndex, inputIndex, weightIndex, &total)`, then `finish(outputIndex, o, total)`
    /// once per output element.
    private static func forEachTap(
        _ g: Conv2DGeometry,
        accumulate: (Int, Int, Int, inout Double) -> Void,
        finish: (Int, Int, Double) -> Void
    ) {
        let groupIn = g.groupInChannels, groupOut = g.groupOutChannels
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                let group = o / groupOut
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        let outputIndex = ((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox
                        var total = 0.0
                        for c in 0..<groupIn {
                            for ky in 0..<g.kernelHeight {
                                let iy = oy * g.strideY - g.padY + ky * g.dilationY
                                guard iy >= 0 && iy < g.height else { continue }
                                for kx in 0..<g.kernelWidth {
                                    let ix = ox * g.strideX - g.padX + kx * g.dilationX
                                    guard ix >= 0 && ix < g.width else { continue }
                                    let channel = group * groupIn + c
                                    let inputIndex = ((n * g.inChannels + channel) * g.height + iy) * g.width + ix
                                    let weightIndex = ((o * groupIn + c) * g.kernelHeight + ky) * g.kernelWidth + kx
                                    accumulate(outputIndex, inputIndex, weightIndex, &total)
                                }
                            }
                        }
                        finish(outputIndex, o, total)
                    }
                }
            }
        }
    }
}
