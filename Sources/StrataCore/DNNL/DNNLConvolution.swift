import CDNNL

/// 2-D convolution on oneDNN's primitives (forward, backward data, backward weights) over plain
/// NCHW / OIHW (GOIHW with groups) memory; one primitive per geometry and pass, cached.
///
/// All pointers are dense row-major buffers: input (N, C, H, W), weight (O, C/groups, KH, KW),
/// bias (O), output (N, O, OH, OW).
enum DNNLConvolution {
    private enum Pass: Hashable { case forward, backwardData, backwardWeights }

    private struct Key: Hashable {
        let geometry: Conv2DGeometry
        let pass: Pass
        let hasBias: Bool
    }

    private static let cache = DNNLPrimitiveCache<Key>()

    /// output (N, O, OH, OW) = input ⋆ weight + bias.
    static func forward(_ geometry: Conv2DGeometry, input: UnsafeMutablePointer<Float>,
                        weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?,
                        output: UnsafeMutablePointer<Float>) {
        var arguments: [(Int32, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_SRC, UnsafeMutableRawPointer(input)),
            (DNNL_ARG_WEIGHTS, UnsafeMutableRawPointer(weight)),
            (DNNL_ARG_DST, UnsafeMutableRawPointer(output)),
        ]
        if let bias { arguments.append((DNNL_ARG_BIAS, UnsafeMutableRawPointer(bias))) }
        primitive(geometry, .forward, hasBias: bias != nil).execute(arguments)
    }

    /// gradInput (N, C, H, W) = the gradient of the convolution with respect to its input.
    static func backwardData(_ geometry: Conv2DGeometry, gradOutput: UnsafeMutablePointer<Float>,
                             weight: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        primitive(geometry, .backwardData, hasBias: false).execute([
            (DNNL_ARG_DIFF_DST, UnsafeMutableRawPointer(gradOutput)),
            (DNNL_ARG_WEIGHTS, UnsafeMutableRawPointer(weight)),
            (DNNL_ARG_DIFF_SRC, UnsafeMutableRawPointer(gradInput)),
        ])
    }

    /// gradWeight (O, C/groups, KH, KW) and, when asked, gradBias (O): the gradients of the
    /// convolution with respect to its weight and bias (overwritten, not accumulated).
    static func backwardWeights(_ geometry: Conv2DGeometry, input: UnsafeMutablePointer<Float>,
                                gradOutput: UnsafeMutablePointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
                                gradBias: UnsafeMutablePointer<Float>?) {
        var arguments: [(Int32, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_SRC, UnsafeMutableRawPointer(input)),
            (DNNL_ARG_DIFF_DST, UnsafeMutableRawPointer(gradOutput)),
            (DNNL_ARG_DIFF_WEIGHTS, UnsafeMutableRawPointer(gradWeight)),
        ]
        if let gradBias { arguments.append((DNNL_ARG_DIFF_BIAS, UnsafeMutableRawPointer(gradBias))) }
        primitive(geometry, .backwardWeights, hasBias: gradBias != nil).execute(arguments)
    }

    /// oneDNN's implementation names for the three passes (for the benchmark's report).
    static func implementations(_ geometry: Conv2DGeometry) -> [String] {
        [Pass.forward, .backwardData, .backwardWeights].map { primitive(geometry, $0, hasBias: true).implementation }
    }

    private static func primitive(_ geometry: Conv2DGeometry, _ pass: Pass, hasBias: Bool) -> DNNLPrimitive {
        cache.primitive(for: Key(geometry: geometry, pass: pass, hasBias: hasBias)) {
            make(geometry, pass, hasBias: hasBias)
        }
    }

    private static func make(_ g: Conv2DGeometry, _ pass: Pass, hasBias: Bool) -> DNNLPrimitive {
        var source = DNNLEngine.descriptor(g.inputShape, dnnl_nchw)
        var weights = g.groups == 1
            ? DNNLEngine.descriptor(g.weightShape, dnnl_oihw)
            : DNNLEngine.descriptor([g.groups, g.groupOutChannels, g.groupInChannels, g.kernelHeight, g.kernelWidth],
                                    dnnl_goihw)
        var bias = DNNLEngine.descriptor([g.outChannels], dnnl_x)
        var destination = DNNLEngine.descriptor(g.outputShape, dnnl_nchw)
        let strides: [Int64] = [Int64(g.strideY), Int64(g.strideX)]
        let dilates: [Int64] = [Int64(g.dilationY - 1), Int64(g.dilationX - 1)]  // oneDNN counts gaps
        let padding: [Int64] = [Int64(g.padY), Int64(g.padX)]
        var operation = dnnl_convolution_desc_t()
        let status: dnnl_status_t
        let name: String
        switch pass {
        case .forward:
            name = "convolution forward \(g.inputShape.shapeText) ⋆ \(g.weightShape.shapeText)"
            status = withOptionalPointer(hasBias, &bias) { biasPointer in
                dnnl_dilated_convolution_forward_desc_init(
                    &operation, dnnl_forward_training, dnnl_convolution_direct, &source, &weights, biasPointer,
                    &destination, strides, dilates, padding, padding)
            }
        case .backwardData:
            name = "convolution backward data \(g.inputShape.shapeText) ⋆ \(g.weightShape.shapeText)"
            status = dnnl_dilated_convolution_backward_data_desc_init(
                &operation, dnnl_convolution_direct, &source, &weights, &destination, strides, dilates,
                padding, padding)
        case .backwardWeights:
            name = "convolution backward weights \(g.inputShape.shapeText) ⋆ \(g.weightShape.shapeText)"
            status = withOptionalPointer(hasBias, &bias) { biasPointer in
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &operation, dnnl_convolution_direct, &source, &weights, biasPointer, &destination, strides,
                    dilates, padding, padding)
            }
        }
        DNNLEngine.check(status, name, "descriptor")
        let hint = pass == .forward ? nil : primitive(g, .forward, hasBias: hasBias)
        return DNNLPrimitive(name, operation: operation, hint: hint)
    }

    /// Calls `body` with a pointer to `value` when `present`, else with nil.
    private static func withOptionalPointer<Result>(
        _ present: Bool, _ value: inout dnnl_memory_desc_t,
        _ body: (UnsafePointer<dnnl_memory_desc_t>?) -> Result
    ) -> Result {
        present ? withUnsafePointer(to: &value) { body($0) } : body(nil)
    }
}
