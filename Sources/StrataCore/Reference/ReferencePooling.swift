/// The plain-loop twin of the pooling kernels: the definition tests compare them against.
///
/// Windows start at `oy·sy − py`, `ox·sx − px` and span KH×KW; max pooling skips positions in the
/// padding, average pooling counts them as zeros and divides by KH·KW. Ties go to the first
/// maximum in row-major window order.
enum ReferencePooling {
    /// Max pooling (N, C, H, W) → (N, C, OH, OW), with the flat input index of each maximum.
    static func maxForward(_ g: Pool2DGeometry, input: Tensor) -> (output: Tensor, argmax: [Int]) {
        let x = input.scalars
        var y: [Float] = [], argmax: [Int] = []
        forEachWindow(g) { planeStart, taps in
            var best = -Float.infinity, bestIndex = -1
            for tap in taps where tap.inside && (bestIndex < 0 || x[planeStart + tap.offset] > best) {
                best = x[planeStart + tap.offset]
                bestIndex = planeStart + tap.offset
            }
            y.append(best)
            argmax.append(bestIndex)
        }
        return (Tensor(shape: g.outputShape, scalars: y), argmax)
    }

    /// The gradient of max pooling with respect to its input: each output's gradient goes to its maximum.
    static func maxBackward(_ g: Pool2DGeometry, gradOutput: Tensor, argmax: [Int]) -> Tensor {
        var dx = [Float](repeating: 0, count: Tensor.elementCount(g.inputShape))
        for (index, gradient) in gradOutput.scalars.enumerated() { dx[argmax[index]] += gradient }
        return Tensor(shape: g.inputShape, scalars: dx)
    }

    /// Average pooling (N, C, H, W) → (N, C, OH, OW), padding counted in the KH·KW divisor.
    static func averageForward(_ g: Pool2DGeometry, input: Tensor) -> Tensor {
        let x = input.scalars
        let divisor = Double(g.kernelHeight * g.kernelWidth)
        var y: [Float] = []
        forEachWindow(g) { planeStart, taps in
            var total = 0.0
            for tap in taps where tap.inside { total += Double(x[planeStart + tap.offset]) }
            y.append(Float(total / divisor))
        }
        return Tensor(shape: g.outputShape, scalars: y)
    }

    /// The gradient of average pooling with respect to its input.
    static func averageBackward(_ g: Pool2DGeometry, gradOutput: Tensor) -> Tensor {
        let dy = gradOutput.scalars
        let divisor = Double(g.kernelHeight * g.kernelWidth)
        var dx = [Double](repeating: 0, count: Tensor.elementCount(g.inputShape))
        var outputIndex = 0
        forEachWindow(g) { planeStart, taps in
            for tap in taps where tap.inside { dx[planeStart + tap.offset] += Double(dy[outputIndex]) / divisor }
            outputIndex += 1
        }
        return Tensor(shape: g.inputShape, scalars: dx.map { Float($0) })
    }

    /// The mean over H and W: (N, C, H, W) → (N, C).
    static func globalAverageForward(input: Tensor) -> Tensor {
        let x = input.scalars, plane = input.shape[2] * input.shape[3]
        let planes = input.shape[0] * input.shape[1]
        let y = (0..<planes).map { index in
            Float((0..<plane).reduce(0.0) { $0 + Double(x[index * plane + $1]) } / Double(plane))
        }
        return Tensor(shape: [input.shape[0], input.shape[1]], scalars: y)
    }

    /// The gradient of the global mean: each (N, C) gradient spread evenly over its H×W plane.
    static func globalAverageBackward(gradOutput: Tensor, inputShape: [Int]) -> Tensor {
        let plane = inputShape[2] * inputShape[3]
        let dx = gradOutput.scalars.flatMap { [Float](repeating: $0 / Float(plane), count: plane) }
        return Tensor(shape: inputShape, scalars: dx)
    }

    /// One position of a window: its offset within the input plane and whether it is inside the image.
    struct Tap {
        let offset: Int
        let inside: Bool
    }

    /// Calls `body(planeStart, taps)` for every output element in row-major (N, C, OH, OW) order.
    private static func forEachWindow(_ g: Pool2DGeometry, _ body: (Int, [Tap]) -> Void) {
        for plane in 0..<(g.batch * g.channels) {
            let planeStart = plane * g.height * g.width
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    var taps: [Tap] = []
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let iy = oy * g.strideY - g.padY + ky, ix = ox * g.strideX - g.padX + kx
                            let inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width
                            taps.append(Tap(offset: inside ? iy * g.width + ix : 0, inside: inside))
                        }
                    }
                    body(planeStart, taps)
                }
            }
        }
    }
}
