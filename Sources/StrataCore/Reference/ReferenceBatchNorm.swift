/// The plain-loop twin of the batch-normalization kernels: the definition tests compare them against.
///
/// The input is (N, C, H, W) or (N, C); statistics are per channel over the M = N·H·W values,
/// summed in Double. `variance` is the biased one (divided by M), as the normalization uses it.
enum ReferenceBatchNorm {
    /// The normalized output with batch statistics, and those statistics (mean, biased variance).
    static func forwardTraining(input: Tensor, gamma: Tensor, beta: Tensor,
                                epsilon: Float) -> (output: Tensor, mean: [Float], variance: [Float]) {
        let (mean, variance) = statistics(input)
        return (forwardInference(input: input, gamma: gamma, beta: beta, mean: mean, variance: variance,
                                 epsilon: epsilon), mean, variance)
    }

    /// The normalized output with given statistics.
    static func forwardInference(input: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], variance: [Float],
                                 epsilon: Float) -> Tensor {
        let x = input.scalars, g = gamma.scalars, b = beta.scalars
        let (channels, plane) = layout(input)
        var y = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let c = (i / plane) % channels
            let normalized = (Double(x[i]) - Double(mean[c])) / (Double(variance[c]) + Double(epsilon)).squareRoot()
            y[i] = Float(Double(g[c]) * normalized + Double(b[c]))
        }
        return Tensor(shape: input.shape, scalars: y)
    }

    /// The gradients (input, gamma, beta). With `throughStatistics` (training) the mean and variance are
    /// functions of the input; otherwise they are constants.
    static func backward(input: Tensor, gradOutput: Tensor, gamma: Tensor, mean: [Float], variance: [Float],
                         epsilon: Float, throughStatistics: Bool) -> (input: Tensor, gamma: Tensor, beta: Tensor) {
        let x = input.scalars, dy = gradOutput.scalars, g = gamma.scalars
        let (channels, plane) = layout(input)
        let m = Double(x.count / channels)
        let inverse = (0..<channels).map { 1 / (Double(variance[$0]) + Double(epsilon)).squareRoot() }
        var gradGamma = [Double](repeating: 0, count: channels), gradBeta = [Double](repeating: 0, count: channels)
        for i in 0..<x.count {
            let c = (i / plane) % channels
            gradBeta[c] += Double(dy[i])
            gradGamma[c] += Double(dy[i]) * (Double(x[i]) - Double(mean[c])) * inverse[c]
        }
        var dx = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let c = (i / plane) % channels
            if throughStatistics {
                let normalized = (Double(x[i]) - Double(mean[c])) * inverse[c]
                dx[i] = Float(Double(g[c]) * inverse[c] / m
                              * (m * Double(dy[i]) - gradBeta[c] - normalized * gradGamma[c]))
            } else {
                dx[i] = Float(Double(g[c]) * inverse[c] * Double(dy[i]))
            }
        }
        return (Tensor(shape: input.shape, scalars: dx),
                Tensor(shape: [channels], scalars: gradGamma.map { Float($0) }),
                Tensor(shape: [channels], scalars: gradBeta.map { Float($0) }))
    }

    /// The per-channel mean and biased variance.
    static func statistics(_ input: Tensor) -> (mean: [Float], variance: [Float]) {
        let x = input.scalars
        let (channels, plane) = layout(input)
        let m = Double(x.count / channels)
        var sum = [Double](repeating: 0, count: channels)
        for i in 0..<x.count { sum[(i / plane) % channels] += Double(x[i]) }
        let mean = sum.map { $0 / m }
        var squares = [Double](repeating: 0, count: channels)
        for i in 0..<x.count {
            let c = (i / plane) % channels
            squares[c] += (Double(x[i]) - mean[c]) * (Double(x[i]) - mean[c])
        }
        return (mean.map { Float($0) }, squares.map { Float($0 / m) })
    }

    /// The channel count C and the plane size H·W (1 for an (N, C) input).
    private static func layout(_ input: Tensor) -> (channels: Int, plane: Int) {
        (input.shape[1], input.rank == 4 ? input.shape[2] * input.shape[3] : 1)
    }
}
