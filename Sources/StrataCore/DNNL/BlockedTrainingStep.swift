import CDNNL

/// One step of a `BlockedTrainingPlan`: an operation's forward-training and backward primitives, made
/// for the layout its input arrives in, with the layout, shape and size of its output.
final class BlockedTrainingStep: @unchecked Sendable {
    /// A convolution's primitives and the reorders between the layouts it is given and those it chose.
    final class Convolution {
        let geometry: Conv2DGeometry
        let forward: DNNLPrimitive, backwardData: DNNLPrimitive, backwardWeights: DNNLPrimitive
        /// The backward pass of the fused ReLU (nil without one).
        let reluBackward: DNNLPrimitive?
        /// The input (from the layout it arrives in) and the plain OIHW weight, for the forward pass.
        let source: BlockedArgument, weight: BlockedArgument
        let dataGradOutput: BlockedArgument, dataWeight: BlockedArgument, dataGradInput: BlockedArgument
        let weightsInput: BlockedArgument, weightsGradOutput: BlockedArgument, weightsGradWeight: BlockedArgument

        init(_ g: Conv2DGeometry, hasBias: Bool, relu: Bool, input: dnnl_memory_desc_t, precision: Precision,
             float32Output: Bool) {
            geometry = g
            (forward, backwardData, backwardWeights) = DNNLTrainingPrimitives.convolution(
                g, hasBias: hasBias, relu: relu, precision: precision, float32Output: float32Output)
            let plainWeight = DNNLConvolution.plainDescriptors(g).weight
            let output = forward.memoryDescriptor(argument: DNNL_ARG_DST).pointee
            let chosenSource = forward.memoryDescriptor(argument: DNNL_ARG_SRC).pointee
            reluBackward = relu ? withUnsafePointer(to: output) { DNNLTrainingPrimitives.relu($0).backward } : nil
            source = BlockedArgument(forward, DNNL_ARG_SRC, plain: input, isInput: true)
            weight = BlockedArgument(forward, DNNL_ARG_WEIGHTS, plain: plainWeight, isInput: true)
            dataGradOutput = BlockedArgument(backwardData, DNNL_ARG_DIFF_DST, plain: output, isInput: true)
            dataWeight = BlockedArgument(backwardData, DNNL_ARG_WEIGHTS, plain: plainWeight, isInput: true)
            dataGradInput = BlockedArgument(backwardData, DNNL_ARG_DIFF_SRC, plain: input, isInput: false)
            weightsInput = BlockedArgument(backwardWeights, DNNL_ARG_SRC, plain: chosenSource, isInput: true)
            weightsGradOutput = BlockedArgument(backwardWeights, DNNL_ARG_DIFF_DST, plain: output, isInput: true)
            weightsGradWeight = BlockedArgument(backwardWeights, DNNL_ARG_DIFF_WEIGHTS, plain: plainWeight,
                                                isInput: false)
        }

        /// The weight (O, C/groups, KH, KW) and bias (O) gradients, plain, from the output's gradient
        /// (in the output's layout) and the input the forward primitive read.
        func weightGradients(_ gradient: BlockedBuffer, source: BlockedBuffer, hasBias: Bool) -> (Tensor, Tensor?) {
            let gradWeight = Tensor(uninitializedShape: geometry.weightShape)
            let gradBias = hasBias ? Tensor(uninitializedShape: [geometry.outChannels]) : nil
            let gradOutput = weightsGradOutput.input(from: gradient.pointer)
            let input = weightsInput.input(from: source.pointer)
            let destination = weightsGradWeight.outputBuffer(plain: gradWeight.pointer)
            var arguments = [(DNNL_ARG_SRC, input.pointer), (DNNL_ARG_DIFF_DST, gradOutput.pointer),
                             (DNNL_ARG_DIFF_WEIGHTS, destination.pointer)]
            if let gradBias { arguments.append((DNNL_ARG_DIFF_BIAS, UnsafeMutableRawPointer(gradBias.pointer))) }
            withExtendedLifetime((gradient.owner, source.owner, input, gradOutput)) {
                backwardWeights.execute(arguments)
            }
            weightsGradWeight.finish(destination, into: gradWeight.pointer)
            return (gradWeight, gradBias)
        }

        /// The input's gradient (in the layout the input arrived in, `bytes` long) from the output's
        /// gradient and the plain weight.
        func inputGradient(_ gradient: BlockedBuffer, weight plain: Tensor, bytes: Int) -> BlockedBuffer {
            let result = BlockedBuffer(bytes: bytes)
            let gradOutput = dataGradOutput.input(from: gradient.pointer)
            let filters = dataWeight.input(from: plain.pointer)
            let destination = dataGradInput.outputBuffer(plain: result.pointer)
            withExtendedLifetime((gradient.owner, plain, gradOutput, filters)) {
                backwardData.execute([(DNNL_ARG_DIFF_DST, gradOutput.pointer), (DNNL_ARG_WEIGHTS, filters.pointer),
                                      (DNNL_ARG_DIFF_SRC, destination.pointer)])
            }
            dataGradInput.finish(destination, into: result.pointer)
            return result
        }
    }

    /// A pooling's primitives (its input and output layouts are those of its forward primitive).
    final class Pooling {
        let forward: DNNLPrimitive, backward: DNNLPrimitive
        /// The bytes of the workspace max pooling leaves for its backward pass (0 for average pooling).
        let workspaceBytes: Int

        init(_ g: Pool2DGeometry, kind: DNNLPooling.Kind, input: dnnl_memory_desc_t) {
            (forward, backward) = withUnsafePointer(to: input) { DNNLTrainingPrimitives.pooling(g, kind: kind, source: $0) }
            workspaceBytes = forward.workspaceBytes
        }
    }

    /// A ReLU's primitives, in the layout its input arrives in.
    final class ReLU {
        let forward: DNNLPrimitive, backward: DNNLPrimitive

        init(input: dnnl_memory_desc_t) {
            (forward, backward) = withUnsafePointer(to: input) { DNNLTrainingPrimitives.relu($0) }
        }
    }

    /// Batch normalization's primitives (with its ReLU fused when asked), in the layout its input arrives in.
    final class BatchNormalization {
        let forward: DNNLPrimitive, backward: DNNLPrimitive
        /// The bytes of the fused ReLU's mask (0 without a ReLU).
        let workspaceBytes: Int

        init(input: dnnl_memory_desc_t, epsilon: Float, relu: Bool) {
            (forward, backward) = withUnsafePointer(to: input) {
                DNNLTrainingPrimitives.batchNormalization($0, epsilon: epsilon, relu: relu)
            }
            workspaceBytes = forward.workspaceBytes
        }
    }

    /// The primitives of the step, by operation.
    enum Kind {
        case convolution(Convolution)
        case pooling(Pooling)
        case relu(ReLU)
        case batchNormalization(BatchNormalization)
        /// Where a residual block begins: its input fans out to the body and the shortcut.
        case residualStart(ResidualStart)
        /// Where the body of a residual block ends and its shortcut begins, from the block's input again.
        case shortcutStart
        /// Where a residual block ends: body + shortcut.
        case residualAddition(ResidualAddition)
    }

    let kind: Kind
    /// The layout of the output, as the step's forward primitive writes it.
    let outputLayout: dnnl_memory_desc_t
    /// The output's shape (N, C, H, W).
    let outputShape: [Int]
    /// The bytes of the output and of the input in their layouts (blocked layouts pad the channels).
    let outputBytes: Int, inputBytes: Int
    /// The work of the step for `ThreadPolicy` (small steps run on one OpenMP thread).
    let work: Int

    /// The step for `operation` whose input arrives laid out as `input`; the primitives are made with
    /// the OpenMP thread count the step will run with. `pending` is the layout of the innermost residual
    /// block's pending activation: its input at `.shortcutStart`, its body's output at `.residualAddition`.
    /// A convolution's output is bfloat16 with `.bfloat16`, unless `float32Output` (the other operations keep
    /// their input's type).
    init(_ operation: BlockedTrainingOperation, input: dnnl_memory_desc_t, pending: dnnl_memory_desc_t? = nil,
         precision: Precision = .float32, float32Output: Bool = false) {
        var input = input
        inputBytes = dnnl_memory_desc_get_size(&input)
        let kind: Kind
        switch operation {
        case .convolution(let g, let hasBias, let relu):
            work = g.multiplyAdds
            outputShape = g.outputShape
            kind = .convolution(ThreadPolicy.forOneDNN(multiplyAdds: work) {
                Convolution(g, hasBias: hasBias, relu: relu, input: input, precision: precision,
                            float32Output: float32Output)
            })
        case .pooling(let poolKind, let g):
            work = g.outputShape.reduce(1, *) * g.kernelHeight * g.kernelWidth
            outputShape = g.outputShape
            kind = .pooling(ThreadPolicy.forOneDNN(multiplyAdds: work) { Pooling(g, kind: poolKind, input: input) })
        case .relu(let shape):
            work = shape.reduce(1, *)
            outputShape = shape
            kind = .relu(ThreadPolicy.forOneDNN(multiplyAdds: work) { ReLU(input: input) })
        case .batchNormalization(let shape, let epsilonBits, let relu):
            work = shape.reduce(1, *)
            outputShape = shape
            kind = .batchNormalization(ThreadPolicy.forOneDNN(multiplyAdds: work) {
                BatchNormalization(input: input, epsilon: Float(bitPattern: epsilonBits), relu: relu)
            })
        case .residualStart(let shape):
            work = shape.reduce(1, *)
            outputShape = shape
            kind = .residualStart(ThreadPolicy.forOneDNN(multiplyAdds: work) { ResidualStart(input: input) })
        case .shortcutStart(let shape):
            work = 0
            outputShape = shape
            kind = .shortcutStart
        case .residualAddition(let shape, let relu):
            guard let body = pending else { preconditionFailure("BlockedTrainingStep: a residual addition without a body") }
            work = shape.reduce(1, *)
            outputShape = shape
            kind = .residualAddition(ThreadPolicy.forOneDNN(multiplyAdds: work) {
                ResidualAddition(body: body, shortcut: input, relu: relu)
            })
        }
        self.kind = kind
        switch kind {
        case .convolution(let c): outputLayout = c.forward.memoryDescriptor(argument: DNNL_ARG_DST).pointee
        case .pooling(let p): outputLayout = p.forward.memoryDescriptor(argument: DNNL_ARG_DST).pointee
        case .relu, .batchNormalization, .residualStart: outputLayout = input
        case .shortcutStart:
            guard let start = pending else { preconditionFailure("BlockedTrainingStep: a shortcut outside a residual block") }
            outputLayout = start
        case .residualAddition(let a): outputLayout = a.layout
        }
        var output = outputLayout
        outputBytes = dnnl_memory_desc_get_size(&output)
    }

    /// The gradient before a ReLU from the gradient after it and its `output` (all in the output's layout).
    func reluGradient(_ backward: DNNLPrimitive, _ gradient: BlockedBuffer, output: BlockedBuffer) -> BlockedBuffer {
        let result = BlockedBuffer(bytes: outputBytes)
        withExtendedLifetime((gradient.owner, output.owner)) {
            backward.execute([(DNNL_ARG_DST, output.raw), (DNNL_ARG_DIFF_DST, gradient.raw),
                              (DNNL_ARG_DIFF_SRC, result.raw)])
        }
        return result
    }
}
