import CDNNL

/// 2-D convolution on oneDNN's primitives in the memory layouts they prefer (blocked layouts such as
/// nChw16c activations), with reorders from and to Strata's plain NCHW / OIHW around each pass.
///
/// oneDNN's direct JIT kernels need blocked layouts; on plain NCHW it falls back to gemm-based
/// kernels that are 2–5× slower on the model shapes, while the reorders cost a few percent
/// (see `strata-convbench`). The plans (primitives and reorders) are made once per geometry and
/// cached; blocked buffers are scratch tensors from the pool. Pointers are dense row-major Float32
/// buffers: input (N, C, H, W), weight (O, C/groups, KH, KW), bias (O), output (N, O, OH, OW). Small
/// convolutions (`ThreadPolicy.parallelMultiplyAdds`) are planned and run on one OpenMP thread.
/// With `.bfloat16` precision the reorders into the blocked layouts also round the operands (input,
/// weight, output gradient) to bfloat16; the results stay Float32 (Float32 accumulation).
enum DNNLBlockedConvolution {
    /// output (N, O, OH, OW) = input ⋆ weight + bias.
    static func forward(_ geometry: Conv2DGeometry, input: UnsafeMutablePointer<Float>,
                        weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, precision: Precision = .float32) {
        ThreadPolicy.forOneDNN(multiplyAdds: geometry.multiplyAdds) {
            forwardOnCurrentThreads(geometry, input: input, weight: weight, bias: bias, output: output,
                                    precision: precision)
        }
    }

    private static func forwardOnCurrentThreads(_ geometry: Conv2DGeometry, input: UnsafeMutablePointer<Float>,
                                                weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?,
                                                output: UnsafeMutablePointer<Float>, precision: Precision) {
        let key = PlanKey(geometry: geometry, hasBias: bias != nil, precision: precision)
        let plan = forwardPlans.primitive(for: key) { ForwardPlan(geometry, hasBias: bias != nil, precision: precision) }
        let source = plan.source.input(from: input), filters = plan.weight.input(from: weight)
        let destination = plan.output.outputBuffer(plain: output)
        var arguments = [(DNNL_ARG_SRC, source.pointer), (DNNL_ARG_WEIGHTS, filters.pointer),
                         (DNNL_ARG_DST, destination.pointer)]
        if let bias { arguments.append((DNNL_ARG_BIAS, UnsafeMutableRawPointer(bias))) }
        withExtendedLifetime((source, filters)) { plan.convolution.execute(arguments) }
        plan.output.finish(destination, into: output)
    }

    /// The gradients with respect to the input (N, C, H, W), the weight (O, C/groups, KH, KW) and the
    /// bias (O), each computed only when its pointer is given (all overwritten). The bias gradient
    /// needs the weight gradient.
    static func backward(_ geometry: Conv2DGeometry, input: UnsafeMutablePointer<Float>,
                         weight: UnsafeMutablePointer<Float>, gradOutput: UnsafeMutablePointer<Float>,
                         gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
                         gradBias: UnsafeMutablePointer<Float>?, precision: Precision = .float32) {
        ThreadPolicy.forOneDNN(multiplyAdds: geometry.multiplyAdds) {
            backwardOnCurrentThreads(geometry, input: input, weight: weight, gradOutput: gradOutput,
                                     gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias,
                                     precision: precision)
        }
    }

    private static func backwardOnCurrentThreads(
        _ geometry: Conv2DGeometry, input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
        gradOutput: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
        gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?, precision: Precision) {
        let key = PlanKey(geometry: geometry, hasBias: gradBias != nil, precision: precision)
        let plan = backwardPlans.primitive(for: key) { BackwardPlan(geometry, hasBias: gradBias != nil, precision: precision) }
        let dataGradOutput = gradInput == nil ? nil : plan.dataGradOutput.input(from: gradOutput)
        if let gradInput, let dataGradOutput {
            let filters = plan.dataWeight.input(from: weight)
            let destination = plan.dataGradInput.outputBuffer(plain: gradInput)
            withExtendedLifetime(filters) {
                plan.data.execute([(DNNL_ARG_DIFF_DST, dataGradOutput.pointer), (DNNL_ARG_WEIGHTS, filters.pointer),
                                   (DNNL_ARG_DIFF_SRC, destination.pointer)])
            }
            plan.dataGradInput.finish(destination, into: gradInput)
        }
        if let gradWeight {
            let weightsGradOutput = plan.sharesGradOutput && dataGradOutput != nil
                ? dataGradOutput! : plan.weightsGradOutput.input(from: gradOutput)
            let source = plan.weightsInput.input(from: input)
            let destination = plan.weightsGradWeight.outputBuffer(plain: gradWeight)
            var arguments = [(DNNL_ARG_SRC, source.pointer), (DNNL_ARG_DIFF_DST, weightsGradOutput.pointer),
                             (DNNL_ARG_DIFF_WEIGHTS, destination.pointer)]
            if let gradBias { arguments.append((DNNL_ARG_DIFF_BIAS, UnsafeMutableRawPointer(gradBias))) }
            withExtendedLifetime((source, weightsGradOutput)) { plan.weights.execute(arguments) }
            plan.weightsGradWeight.finish(destination, into: gradWeight)
        }
        withExtendedLifetime(dataGradOutput) {}
    }

    private struct PlanKey: Hashable {
        let geometry: Conv2DGeometry
        let hasBias: Bool
        let precision: Precision
    }

    private static let forwardPlans = DNNLPrimitiveCache<PlanKey, ForwardPlan>()
    private static let backwardPlans = DNNLPrimitiveCache<PlanKey, BackwardPlan>()

    /// The forward primitive and the reorders of its input, weight and output.
    private final class ForwardPlan: @unchecked Sendable {
        let convolution: DNNLPrimitive
        let source: BlockedArgument, weight: BlockedArgument, output: BlockedArgument

        init(_ g: Conv2DGeometry, hasBias: Bool, precision: Precision) {
            convolution = DNNLConvolution.primitive(g, .forward, hasBias: hasBias, layout: .preferred, precision: precision)
            let plain = DNNLConvolution.plainDescriptors(g)
            source = BlockedArgument(convolution, DNNL_ARG_SRC, plain: plain.input, isInput: true)
            weight = BlockedArgument(convolution, DNNL_ARG_WEIGHTS, plain: plain.weight, isInput: true)
            output = BlockedArgument(convolution, DNNL_ARG_DST, plain: plain.output, isInput: false)
        }
    }

    /// The backward-data and backward-weights primitives and the reorders of their arguments.
    private final class BackwardPlan: @unchecked Sendable {
        let data: DNNLPrimitive, weights: DNNLPrimitive
        let dataGradOutput: BlockedArgument, dataWeight: BlockedArgument, dataGradInput: BlockedArgument
        let weightsGradOutput: BlockedArgument, weightsInput: BlockedArgument, weightsGradWeight: BlockedArgument
        /// Whether both passes take the output gradient in the same layout (then it is reordered once).
        let sharesGradOutput: Bool

        init(_ g: Conv2DGeometry, hasBias: Bool, precision: Precision) {
            data = DNNLConvolution.primitive(g, .backwardData, hasBias: hasBias, layout: .preferred, precision: precision)
            weights = DNNLConvolution.primitive(g, .backwardWeights, hasBias: hasBias, layout: .preferred,
                                                precision: precision)
            let plain = DNNLConvolution.plainDescriptors(g)
            dataGradOutput = BlockedArgument(data, DNNL_ARG_DIFF_DST, plain: plain.output, isInput: true)
            dataWeight = BlockedArgument(data, DNNL_ARG_WEIGHTS, plain: plain.weight, isInput: true)
            dataGradInput = BlockedArgument(data, DNNL_ARG_DIFF_SRC, plain: plain.input, isInput: false)
            weightsGradOutput = BlockedArgument(weights, DNNL_ARG_DIFF_DST, plain: plain.output, isInput: true)
            weightsInput = BlockedArgument(weights, DNNL_ARG_SRC, plain: plain.input, isInput: true)
            weightsGradWeight = BlockedArgument(weights, DNNL_ARG_DIFF_WEIGHTS, plain: plain.weight, isInput: false)
            sharesGradOutput = dnnl_memory_desc_equal(data.memoryDescriptor(argument: DNNL_ARG_DIFF_DST),
                                                      weights.memoryDescriptor(argument: DNNL_ARG_DIFF_DST)) != 0
        }
    }
}

/// One argument of a primitive made for oneDNN's preferred layouts: the size of its buffer in the
/// layout the primitive chose, and the reorder between that layout and the plain one (none when
/// they are the same, and then the plain buffer is used directly).
struct BlockedArgument {
    /// A buffer in the chosen layout: the plain buffer itself, or a pooled scratch buffer it keeps alive.
    struct Buffer {
        let pointer: UnsafeMutableRawPointer
        let scratch: TensorStorage?
    }

    /// The bytes of the buffer in the chosen layout.
    let bytes: Int
    /// plain → chosen for inputs, chosen → plain for outputs; nil when the layouts are the same.
    let reorder: DNNLPrimitive?

    init(_ primitive: DNNLPrimitive, _ argument: Int32, plain: dnnl_memory_desc_t, isInput: Bool) {
        let chosen = primitive.memoryDescriptor(argument: argument)
        var plain = plain
        bytes = dnnl_memory_desc_get_size(chosen)
        let name = "reorder argument \(argument) of \(primitive.name)"
        if dnnl_memory_desc_equal(chosen, &plain) != 0 {
            reorder = nil
        } else if isInput {
            reorder = DNNLPrimitive(name, reorderFrom: &plain, to: chosen)
        } else {
            reorder = DNNLPrimitive(name, reorderFrom: chosen, to: &plain)
        }
    }

    /// The plain input's values in the chosen layout.
    func input(from plain: UnsafeMutablePointer<Float>) -> Buffer {
        guard let reorder else { return Buffer(pointer: UnsafeMutableRawPointer(plain), scratch: nil) }
        let scratch = TensorStorage(uninitializedCount: (bytes + 3) / 4)
        reorder.execute([(DNNL_ARG_FROM, UnsafeMutableRawPointer(plain)),
                         (DNNL_ARG_TO, UnsafeMutableRawPointer(scratch.pointer))])
        return Buffer(pointer: UnsafeMutableRawPointer(scratch.pointer), scratch: scratch)
    }

    /// Where a primitive writes this output: the plain buffer itself, or scratch for `finish` to reorder.
    func outputBuffer(plain: UnsafeMutablePointer<Float>) -> Buffer {
        guard reorder != nil else { return Buffer(pointer: UnsafeMutableRawPointer(plain), scratch: nil) }
        let scratch = TensorStorage(uninitializedCount: (bytes + 3) / 4)
        return Buffer(pointer: UnsafeMutableRawPointer(scratch.pointer), scratch: scratch)
    }

    /// Moves an output written by `outputBuffer` into the plain buffer (nothing to do without a reorder).
    func finish(_ buffer: Buffer, into plain: UnsafeMutablePointer<Float>) {
        guard let reorder else { return }
        withExtendedLifetime(buffer.scratch) {
            reorder.execute([(DNNL_ARG_FROM, buffer.pointer), (DNNL_ARG_TO, UnsafeMutableRawPointer(plain))])
        }
    }
}
