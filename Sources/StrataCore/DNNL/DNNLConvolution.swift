import CDNNL

/// 2-D convolution on oneDNN's primitives (forward, backward data, backward weights), one primitive
/// per geometry, pass and layout, cached.
///
/// The functions here run the primitives on plain NCHW / OIHW (GOIHW with groups) memory, where
/// oneDNN falls back to its gemm-based kernels; `DNNLBlockedConvolution` runs the primitives made
/// for oneDNN's preferred (blocked) layouts. All pointers are dense row-major buffers:
/// input (N, C, H, W), weight (O, C/groups, KH, KW), bias (O), output (N, O, OH, OW).
enum DNNLConvolution {
    /// Which of the three primitives of a convolution.
    enum Pass: Hashable { case forward, backwardData, backwardWeights }

    /// The memory layouts a primitive is made for.
    enum Layout: Hashable {
        /// NCHW activations and OIHW / GOIHW weights, the layouts of Strata's tensors.
        case plain
        /// Whatever oneDNN prefers for the geometry (`format_tag_any`; the bias stays plain).
        case preferred
    }

    private struct Key: Hashable {
        let geometry: Conv2DGeometry
        let pass: Pass
        let hasBias: Bool
        let layout: Layout
        let precision: Precision
    }

    private static let cache = DNNLPrimitiveCache<Key, DNNLPrimitive>()

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

    /// The cached primitive for one pass of `geometry` in `layout` (backward passes are made with the
    /// forward primitive of the same layout and precision as their hint).
    ///
    /// With `.bfloat16` (only with `.preferred` layouts) the pass reads bfloat16 operands (input,
    /// weight, output gradient) and writes Float32 (output, input gradient, weight and bias
    /// gradients), accumulating in Float32; the bias stays Float32.
    static func primitive(_ geometry: Conv2DGeometry, _ pass: Pass, hasBias: Bool, layout: Layout = .plain,
                          precision: Precision = .float32) -> DNNLPrimitive {
        precondition(precision == .float32 || layout == .preferred,
                     "DNNLConvolution: bfloat16 primitives need preferred layouts (\(geometry.inputShape.shapeText))")
        let key = Key(geometry: geometry, pass: pass, hasBias: hasBias, layout: layout, precision: precision)
        return cache.primitive(for: key) { make(geometry, pass, hasBias: hasBias, layout: layout, precision: precision) }
    }

    /// The plain memory descriptors of a convolution's input, weight and output (NCHW, OIHW or GOIHW).
    static func plainDescriptors(_ g: Conv2DGeometry)
        -> (input: dnnl_memory_desc_t, weight: dnnl_memory_desc_t, output: dnnl_memory_desc_t) {
        descriptors(g, activations: dnnl_nchw, weight: g.groups == 1 ? dnnl_oihw : dnnl_goihw)
    }

    /// Descriptors of a convolution's input, weight and output that let oneDNN choose each layout
    /// (`format_tag_any`), in Float32.
    static func preferredDescriptors(_ g: Conv2DGeometry, dataType: dnnl_data_type_t = dnnl_f32)
        -> (input: dnnl_memory_desc_t, weight: dnnl_memory_desc_t, output: dnnl_memory_desc_t) {
        descriptors(g, activations: dnnl_format_tag_any, weight: dnnl_format_tag_any, dataType: dataType)
    }

    /// The weight's dimensions as oneDNN takes them: (O, C, KH, KW), or (G, O/G, C/G, KH, KW) with groups.
    static func weightDimensions(_ g: Conv2DGeometry) -> [Int] {
        g.groups == 1 ? g.weightShape : [g.groups, g.groupOutChannels, g.groupInChannels, g.kernelHeight, g.kernelWidth]
    }

    private static func descriptors(_ g: Conv2DGeometry, activations: dnnl_format_tag_t, weight: dnnl_format_tag_t,
                                    dataType: dnnl_data_type_t = dnnl_f32)
        -> (input: dnnl_memory_desc_t, weight: dnnl_memory_desc_t, output: dnnl_memory_desc_t) {
        (DNNLEngine.descriptor(g.inputShape, activations, dataType), DNNLEngine.descriptor(weightDimensions(g), weight, dataType),
         DNNLEngine.descriptor(g.outputShape, activations, dataType))
    }

    /// A convolution's strides, dilations (oneDNN counts the gaps: dilation − 1), and padding at the
    /// start and at the end, as oneDNN's descriptors take them.
    static func spacing(_ g: Conv2DGeometry)
        -> (strides: [Int64], dilates: [Int64], padding: [Int64], paddingEnd: [Int64]) {
        ([Int64(g.strideY), Int64(g.strideX)], [Int64(g.dilationY - 1), Int64(g.dilationX - 1)],
         [Int64(g.padY), Int64(g.padX)], [Int64(g.padBottom), Int64(g.padRight)])
    }

    private static func make(_ g: Conv2DGeometry, _ pass: Pass, hasBias: Bool, layout: Layout,
                             precision: Precision) -> DNNLPrimitive {
        var (source, weights, destination) = plainDescriptors(g)
        if layout == .preferred {
            // bfloat16 operands, Float32 results: what a pass writes is Float32, what it reads bfloat16.
            let operand = precision == .bfloat16 ? dnnl_bf16 : dnnl_f32
            source = DNNLEngine.descriptor(g.inputShape, dnnl_format_tag_any, pass == .backwardData ? dnnl_f32 : operand)
            weights = DNNLEngine.descriptor(weightDimensions(g), dnnl_format_tag_any,
                                            pass == .backwardWeights ? dnnl_f32 : operand)
            destination = DNNLEngine.descriptor(g.outputShape, dnnl_format_tag_any, pass == .forward ? dnnl_f32 : operand)
        }
        var bias = DNNLEngine.descriptor([g.outChannels], dnnl_x)
        let (strides, dilates, padding, paddingEnd) = spacing(g)
        var operation = dnnl_convolution_desc_t()
        let status: dnnl_status_t
        let name: String
        let shapes = "\(g.inputShape.shapeText) ⋆ \(g.weightShape.shapeText)" + (layout == .plain ? "" : " (blocked)")
            + (precision == .bfloat16 ? " bf16" : "")
        switch pass {
        case .forward:
            name = "convolution forward \(shapes)"
            status = withOptionalPointer(hasBias, &bias) { biasPointer in
                dnnl_dilated_convolution_forward_desc_init(
                    &operation, dnnl_forward_training, dnnl_convolution_direct, &source, &weights, biasPointer,
                    &destination, strides, dilates, padding, paddingEnd)
            }
        case .backwardData:
            name = "convolution backward data \(shapes)"
            status = dnnl_dilated_convolution_backward_data_desc_init(
                &operation, dnnl_convolution_direct, &source, &weights, &destination, strides, dilates,
                padding, paddingEnd)
        case .backwardWeights:
            name = "convolution backward weights \(shapes)"
            status = withOptionalPointer(hasBias, &bias) { biasPointer in
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &operation, dnnl_convolution_direct, &source, &weights, biasPointer, &destination, strides,
                    dilates, padding, paddingEnd)
            }
        }
        DNNLEngine.check(status, name, "descriptor")
        let hint = pass == .forward ? nil : primitive(g, .forward, hasBias: hasBias, layout: layout, precision: precision)
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
