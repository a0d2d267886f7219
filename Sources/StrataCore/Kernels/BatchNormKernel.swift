/// Batch normalization in Strata's own vectorized loops over plain NCHW memory: per-channel passes
/// over the N planes of H·W values, channels spread over the threads.
///
/// On the model shapes it is 2–4× faster than oneDNN's plain-layout batch normalization
/// (`ncsp_bnorm`) on an idle machine, and far faster on a busy one, where the OpenMP barriers of
/// oneDNN's several passes wait for descheduled threads (see `strata-convbench --layers`). Sums run over SIMD lanes in Float within a
/// plane and in Double across planes; the variance is computed from deviations (two passes), not
/// as E[x²] − E[x]². Shapes: input (N, C, S) with S = H·W (1 for an (N, C) input); gamma, beta,
/// mean and variance (C).
enum BatchNormKernel {
    /// The sizes of one batch normalization.
    struct Shape {
        let batch: Int, channels: Int, plane: Int
        /// The number of values per channel, N·S.
        var perChannel: Int { batch * plane }
    }

    /// Writes the batch's mean and biased variance per channel, then the normalized output (through
    /// max(·, 0) in the same pass with `relu`).
    static func forwardTraining(_ shape: Shape, epsilon: Float, relu: Bool = false, input: UnsafePointer<Float>,
                                gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
                                output: UnsafeMutablePointer<Float>) {
        forEachChannel(shape) { c in
            let count = Double(shape.perChannel)
            var total = 0.0
            forEachPlane(shape, c) { offset in total += Double(sum(input + offset, shape.plane)) }
            let average = Float(total / count)
            var squares = 0.0
            forEachPlane(shape, c) { offset in
                squares += Double(sumOfSquaredDeviations(input + offset, shape.plane, from: average))
            }
            mean[c] = average
            variance[c] = Float(squares / count)
            let scale = gamma[c] / (variance[c] + epsilon).squareRoot()
            let shift = beta[c] - average * scale
            forEachPlane(shape, c) { offset in affine(input + offset, output + offset, shape.plane, scale, shift, relu: relu) }
        }
    }

    /// The normalized output with given per-channel statistics (through max(·, 0) with `relu`).
    static func forwardInference(_ shape: Shape, epsilon: Float, relu: Bool = false, input: UnsafePointer<Float>,
                                 gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                 variance: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        forEachChannel(shape) { c in
            let scale = gamma[c] / (variance[c] + epsilon).squareRoot()
            let shift = beta[c] - mean[c] * scale
            forEachPlane(shape, c) { offset in affine(input + offset, output + offset, shape.plane, scale, shift, relu: relu) }
        }
    }

    /// The gradients with respect to the input, gamma and beta, given the statistics the forward pass
    /// used. With `throughStatistics` (training) they are functions of the input; otherwise constants.
    /// With `reluOutput` (the output of a forward pass with `relu`), `gradOutput` is the gradient of
    /// that output and is first masked where it is not positive, as ReLU's backward would.
    static func backward(_ shape: Shape, epsilon: Float, throughStatistics: Bool, input: UnsafePointer<Float>,
                         gradOutput: UnsafePointer<Float>, reluOutput: UnsafePointer<Float>? = nil,
                         gamma: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                         variance: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
                         gradGamma: UnsafeMutablePointer<Float>, gradBeta: UnsafeMutablePointer<Float>) {
        forEachChannel(shape) { c in
            let inverse = 1 / (variance[c] + epsilon).squareRoot()
            var gradientSum = 0.0, weightedSum = 0.0  // Σ dy and Σ dy · (x − mean)
            forEachPlane(shape, c) { offset in
                let (plain, weighted) = reluOutput.map {
                    maskedSums(gradOutput + offset, $0 + offset, input + offset, shape.plane, mean: mean[c])
                } ?? sums(gradOutput + offset, input + offset, shape.plane, mean: mean[c])
                gradientSum += Double(plain)
                weightedSum += Double(weighted)
            }
            gradBeta[c] = Float(gradientSum)
            gradGamma[c] = Float(weightedSum) * inverse
            // dx = γ/σ · (dy − [Σ dy]/M − (x − μ) · [Σ dy (x − μ)] / (M σ²)) in training, γ/σ · dy otherwise.
            let scale = gamma[c] * inverse
            let count = Float(shape.perChannel)
            let meanGradient = throughStatistics ? Float(gradientSum) / count : 0
            let slope = throughStatistics ? Float(weightedSum) * inverse * inverse / count : 0
            forEachPlane(shape, c) { offset in
                let dy = gradOutput + offset, x = input + offset, dx = gradInput + offset
                inputGradient(dy, reluOutput.map { $0 + offset }, x, dx, shape.plane, scale: scale,
                              meanGradient: meanGradient, mean: mean[c], slope: slope)
            }
        }
    }

    /// Runs `body(c)` for every channel, the channels split over the threads when the work is large.
    private static func forEachChannel(_ shape: Shape, _ body: (Int) -> Void) {
        let minimum = max(1, (1 << 15) / max(shape.perChannel, 1))
        ThreadPolicy.parallelFor(count: shape.channels, minimumPerThread: minimum) { for c in $0 { body(c) } }
    }

    /// Runs `body(offset)` with the offset of each of channel `c`'s N planes.
    @inline(__always)
    private static func forEachPlane(_ shape: Shape, _ c: Int, _ body: (Int) -> Void) {
        for n in 0..<shape.batch { body((n * shape.channels + c) * shape.plane) }
    }

    /// Σ x over `count` values.
    @inline(__always)
    private static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            lanes += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }

    /// Σ (x − center)² over `count` values.
    @inline(__always)
    private static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, from center: Float) -> Float {
        var lanes = SIMD8<Float>()
        let centers = SIMD8<Float>(repeating: center)
        var i = 0
        while i + 8 <= count {
            let deviation = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - centers
            lanes += deviation * deviation
            i += 8
        }
        var total = lanes.sum()
        while i < count { total += (x[i] - center) * (x[i] - center); i += 1 }
        return total
    }

    /// (Σ dy, Σ dy · (x − mean)) over `count` values.
    @inline(__always)
    private static func sums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int,
                             mean: Float) -> (Float, Float) {
        var plain = SIMD8<Float>(), weighted = SIMD8<Float>()
        let means = SIMD8<Float>(repeating: mean)
        var i = 0
        while i + 8 <= count {
            let gradient = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
            plain += gradient
            weighted += gradient * (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - means)
            i += 8
        }
        var plainTotal = plain.sum(), weightedTotal = weighted.sum()
        while i < count {
            plainTotal += dy[i]
            weightedTotal += dy[i] * (x[i] - mean)
            i += 1
        }
        return (plainTotal, weightedTotal)
    }

    /// (Σ g, Σ g · (x − mean)) over `count` values, where g is dy where y > 0 and 0 elsewhere.
    @inline(__always)
    private static func maskedSums(_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                   _ count: Int, mean: Float) -> (Float, Float) {
        var plain = SIMD8<Float>(), weighted = SIMD8<Float>()
        let means = SIMD8<Float>(repeating: mean), zeros = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let output = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            let gradient = zeros.replacing(with: UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self),
                                           where: output .> zeros)
            plain += gradient
            weighted += gradient * (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - means)
            i += 8
        }
        var plainTotal = plain.sum(), weightedTotal = weighted.sum()
        while i < count {
            let gradient = y[i] > 0 ? dy[i] : 0
            plainTotal += gradient
            weightedTotal += gradient * (x[i] - mean)
            i += 1
        }
        return (plainTotal, weightedTotal)
    }

    /// dx = scale · (g − meanGradient − (x − mean) · slope) over `count` values, where g is dy, or with
    /// `y` dy where y > 0 and 0 elsewhere.
    @inline(__always)
    private static func inputGradient(_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, _ x: UnsafePointer<Float>,
                                      _ dx: UnsafeMutablePointer<Float>, _ count: Int, scale: Float,
                                      meanGradient: Float, mean: Float, slope: Float) {
        let scales = SIMD8<Float>(repeating: scale), meanGradients = SIMD8<Float>(repeating: meanGradient)
        let means = SIMD8<Float>(repeating: mean), slopes = SIMD8<Float>(repeating: slope), zeros = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            var gradient = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
            if let y {
                gradient = zeros.replacing(with: gradient, where: UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self) .> zeros)
            }
            let deviation = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - means
            UnsafeMutableRawPointer(dx + i).storeBytes(of: scales * (gradient - meanGradients - deviation * slopes),
                                                       as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let gradient = y.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i]
            dx[i] = scale * (gradient - meanGradient - (x[i] - mean) * slope)
            i += 1
        }
    }

    /// y = x · scale + shift over `count` values, then max(y, 0) with `relu` (NaN becomes 0, as `relu()`).
    @inline(__always)
    private static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
                               _ scale: Float, _ shift: Float, relu: Bool) {
        let scales = SIMD8<Float>(repeating: scale), shifts = SIMD8<Float>(repeating: shift), zeros = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            var value = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) * scales + shifts
            if relu { value = zeros.replacing(with: value, where: value .> zeros) }
            UnsafeMutableRawPointer(y + i).storeBytes(of: value, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let value = x[i] * scale + shift
            y[i] = relu ? (value > 0 ? value : 0) : value
            i += 1
        }
    }
}
