import CDNNL

/// Batch normalization on oneDNN's primitives over plain NCHW memory, cached per shape and epsilon.
///
/// Training uses the batch's mean and (biased) variance, which the forward pass writes out and the
/// backward pass reads back (the full gradient through the statistics). Inference uses given
/// statistics (`dnnl_use_global_stats`), which the backward pass treats as constants.
/// gamma and beta are separate (C) buffers (`dnnl_use_scale | dnnl_use_shift`).
enum DNNLBatchNorm {
    private enum Pass: Hashable { case forward, backward }

    private struct Key: Hashable {
        let shape: [Int]
        let epsilonBits: UInt32
        let globalStatistics: Bool
        let pass: Pass
    }

    private static let cache = DNNLPrimitiveCache<Key, DNNLPrimitive>()

    /// output = gamma · (input − mean) / √(variance + ε) + beta over input (N, C, H, W). With
    /// `globalStatistics` the (C) `mean` and `variance` are read; otherwise the batch's are written there.
    static func forward(shape: [Int], epsilon: Float, globalStatistics: Bool, input: UnsafeMutablePointer<Float>,
                        gamma: UnsafeMutablePointer<Float>, beta: UnsafeMutablePointer<Float>,
                        mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
                        output: UnsafeMutablePointer<Float>) {
        primitive(shape, epsilon, globalStatistics, .forward).execute([
            (DNNL_ARG_SRC, UnsafeMutableRawPointer(input)),
            (DNNL_ARG_SCALE, UnsafeMutableRawPointer(gamma)),
            (DNNL_ARG_SHIFT, UnsafeMutableRawPointer(beta)),
            (DNNL_ARG_MEAN, UnsafeMutableRawPointer(mean)),
            (DNNL_ARG_VARIANCE, UnsafeMutableRawPointer(variance)),
            (DNNL_ARG_DST, UnsafeMutableRawPointer(output)),
        ])
    }

    /// The gradients with respect to the input (N, C, H, W), gamma (C) and beta (C), given the mean
    /// and variance the forward pass used (and its beta, which oneDNN 2.6 insists on without reading).
    static func backward(shape: [Int], epsilon: Float, globalStatistics: Bool, input: UnsafeMutablePointer<Float>,
                         gradOutput: UnsafeMutablePointer<Float>, gamma: UnsafeMutablePointer<Float>,
                         beta: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                         variance: UnsafeMutablePointer<Float>,
                         gradInput: UnsafeMutablePointer<Float>, gradGamma: UnsafeMutablePointer<Float>,
                         gradBeta: UnsafeMutablePointer<Float>) {
        primitive(shape, epsilon, globalStatistics, .backward).execute([
            (DNNL_ARG_SRC, UnsafeMutableRawPointer(input)),
            (DNNL_ARG_DIFF_DST, UnsafeMutableRawPointer(gradOutput)),
            (DNNL_ARG_SCALE, UnsafeMutableRawPointer(gamma)),
            (DNNL_ARG_SHIFT, UnsafeMutableRawPointer(beta)),  // unused, but oneDNN 2.6 requires it
            (DNNL_ARG_MEAN, UnsafeMutableRawPointer(mean)),
            (DNNL_ARG_VARIANCE, UnsafeMutableRawPointer(variance)),
            (DNNL_ARG_DIFF_SRC, UnsafeMutableRawPointer(gradInput)),
            (DNNL_ARG_DIFF_SCALE, UnsafeMutableRawPointer(gradGamma)),
            (DNNL_ARG_DIFF_SHIFT, UnsafeMutableRawPointer(gradBeta)),
        ])
    }

    private static func primitive(_ shape: [Int], _ epsilon: Float, _ globalStatistics: Bool,
                                  _ pass: Pass) -> DNNLPrimitive {
        let key = Key(shape: shape, epsilonBits: epsilon.bitPattern, globalStatistics: globalStatistics, pass: pass)
        return cache.primitive(for: key) { make(shape, epsilon, globalStatistics, pass) }
    }

    private static func make(_ shape: [Int], _ epsilon: Float, _ globalStatistics: Bool,
                             _ pass: Pass) -> DNNLPrimitive {
        var data = DNNLEngine.descriptor(shape, dnnl_nchw)
        var flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
        if globalStatistics { flags |= dnnl_use_global_stats.rawValue }
        let statistics = globalStatistics ? "given statistics" : "batch statistics"
        var operation = dnnl_batch_normalization_desc_t()
        let name: String
        let status: dnnl_status_t
        switch pass {
        case .forward:
            name = "batch normalization forward \(shape.shapeText) with \(statistics)"
            status = dnnl_batch_normalization_forward_desc_init(&operation, dnnl_forward_training, &data, epsilon,
                                                                flags)
        case .backward:
            name = "batch normalization backward \(shape.shapeText) with \(statistics)"
            status = dnnl_batch_normalization_backward_desc_init(&operation, dnnl_backward, &data, &data, epsilon,
                                                                 flags)
        }
        DNNLEngine.check(status, name, "descriptor")
        let hint = pass == .backward ? primitive(shape, epsilon, globalStatistics, .forward) : nil
        return DNNLPrimitive(name, operation: operation, hint: hint)
    }
}
