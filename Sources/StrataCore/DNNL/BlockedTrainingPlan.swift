import CDNNL
import Foundation

/// One operation of a training segment for one batch size: what a `BlockedTrainingPlan` is made of
/// and cached by.
enum BlockedTrainingOperation: Hashable {
    /// A convolution, with a bias when `hasBias`, through max(·, 0) when `relu`.
    case convolution(Conv2DGeometry, hasBias: Bool, relu: Bool)
    /// Max or average pooling (average counts the padding).
    case pooling(DNNLPooling.Kind, Pool2DGeometry)
    /// max(x, 0) of an (N, C, H, W) activation.
    case relu(shape: [Int])
    /// Batch normalization of an (N, C, H, W) activation with the batch's statistics (ε as its bits),
    /// through max(·, 0) when `relu`.
    case batchNormalization(shape: [Int], epsilonBits: UInt32, relu: Bool)
    /// The start of a residual block whose input (N, C, H, W) goes to the body and to the shortcut.
    case residualStart(shape: [Int])
    /// The end of the body and the start of the shortcut, which reads the block's input (N, C, H, W) again.
    case shortcutStart(shape: [Int])
    /// body + shortcut, both (N, C, H, W), through max(·, 0) when `relu`: the end of a residual block.
    case residualAddition(shape: [Int], relu: Bool)
}

/// A buffer of a segment's activation or gradient in some layout, and the object that keeps it alive
/// (a pooled `TensorStorage` the plan took, or the caller's tensor).
struct BlockedBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let owner: AnyObject

    /// A new pooled buffer of `bytes` bytes.
    init(bytes: Int) {
        let storage = TensorStorage(uninitializedCount: (bytes + 3) / 4)
        pointer = storage.pointer
        owner = storage
    }

    /// The buffer at `pointer`, kept alive by `owner`.
    init(pointer: UnsafeMutablePointer<Float>, owner: AnyObject) {
        self.pointer = pointer
        self.owner = owner
    }

    /// The buffer a `BlockedArgument` produced from this one (this one itself when no reorder ran).
    func converted(_ buffer: BlockedArgument.Buffer) -> BlockedBuffer {
        BlockedBuffer(pointer: buffer.pointer.assumingMemoryBound(to: Float.self), owner: buffer.scratch ?? owner)
    }

    /// The pointer as oneDNN's execution arguments take it.
    var raw: UnsafeMutableRawPointer { UnsafeMutableRawPointer(pointer) }
}

/// One batch size's training execution of a `BlockedTrainingSegment`: the forward-training primitives
/// in order, each activation in the layout its producer chose, and their backward primitives, with
/// reorders only where a primitive wants another layout (the NCHW input and output, a layout a
/// convolution prefers for its input). Primitives are made once; buffers are pooled tensors taken per
/// call, so several forward passes may be pending before their backward passes run.
final class BlockedTrainingPlan: @unchecked Sendable {
    /// What the forward pass keeps for the backward pass of each step.
    struct Saved {
        /// A convolution's input, in the layout its forward primitive read.
        var source: BlockedBuffer?
        /// The output after a ReLU (a fused one too), which its backward pass reads.
        var output: BlockedBuffer?
        /// The workspace of max pooling, or the mask of a ReLU fused into batch normalization.
        var workspace: BlockedBuffer?
        /// The batch's mean and (biased) variance (C) of a batch normalization.
        var mean: Tensor?, variance: Tensor?
        /// The values per channel (N·H·W) of the batch normalization's statistics.
        var count = 0
    }

    /// The scale and shift (C) of each batch normalization, in order.
    typealias Normalizations = [(gamma: Tensor, beta: Tensor)]

    /// The result of a forward pass: the NCHW output and what each step saved.
    struct ForwardResult {
        let output: Tensor
        let saved: [Saved]
    }

    let operations: [BlockedTrainingOperation]
    private let steps: [BlockedTrainingStep]
    private let inputShape: [Int], outputShape: [Int]
    /// The segment's output in the last step's layout → NCHW, and an NCHW gradient → that layout.
    private let outputToPlain: DNNLPrimitive?, gradientFromPlain: DNNLPrimitive?
    private let outputBytes: Int

    /// The plan of `operations` applied in turn to an input of `inputShape` (N, C, H, W), Float32 and NCHW
    /// like its output; with `.bfloat16` the activations and gradients between the steps are bfloat16, except,
    /// with `float32NormalizationInputs`, the outputs of convolutions that a batch normalization reads (and
    /// what follows that normalization up to the next convolution), which stay Float32.
    init(_ operations: [BlockedTrainingOperation], inputShape: [Int], precision: Precision = .float32,
         float32NormalizationInputs: Bool = false) {
        self.operations = operations
        self.inputShape = inputShape
        var layout = DNNLEngine.descriptor(inputShape, dnnl_nchw)
        var steps: [BlockedTrainingStep] = [], shape = inputShape
        // The layouts of the pending activations of the open residual blocks: a block's input until its
        // shortcut starts, then its body's output until the addition.
        var pending: [dnnl_memory_desc_t] = []
        for (index, operation) in operations.enumerated() {
            var feedsNormalization = false
            if precision == .bfloat16, float32NormalizationInputs, index + 1 < operations.count,
               case .batchNormalization = operations[index + 1] { feedsNormalization = true }
            let step = BlockedTrainingStep(operation, input: layout, pending: pending.last, precision: precision,
                                           float32Output: feedsNormalization)
            switch operation {
            case .residualStart: pending.append(layout)
            case .shortcutStart: pending[pending.count - 1] = layout
            case .residualAddition: pending.removeLast()
            case .convolution, .pooling, .relu, .batchNormalization: break
            }
            steps.append(step)
            layout = step.outputLayout
            shape = step.outputShape
        }
        self.steps = steps
        outputShape = shape
        var plain = DNNLEngine.descriptor(shape, dnnl_nchw)
        outputBytes = dnnl_memory_desc_get_size(&layout)
        let work = shape.reduce(1, *)
        if dnnl_memory_desc_equal(&plain, &layout) != 0 {
            (outputToPlain, gradientFromPlain) = (nil, nil)
        } else {
            (outputToPlain, gradientFromPlain) = ThreadPolicy.forOneDNN(multiplyAdds: work) {
                (DNNLPrimitive("reorder training segment output", reorderFrom: &layout, to: &plain),
                 DNNLPrimitive("reorder training segment gradient", reorderFrom: &plain, to: &layout))
            }
        }
    }

    /// Runs the forward pass on `input` (N, C, H, W), dense. `weights` holds each convolution's weight
    /// and bias (nil without one), `normalizations` each batch normalization's gamma and beta, in order.
    func forward(_ input: Tensor, weights: [(weight: Tensor, bias: Tensor?)], normalizations: Normalizations)
        -> ForwardResult {
        var x = BlockedBuffer(pointer: input.pointer, owner: input)
        var saved: [Saved] = []
        var convolution = 0, normalization = 0
        // The pending activations of the open residual blocks (see `init`).
        var pending: [BlockedBuffer] = []
        for (index, step) in steps.enumerated() {
            var record = Saved()
            ThreadPolicy.forOneDNN(multiplyAdds: step.work) {
                switch step.kind {
                case .residualStart:
                    pending.append(x)
                case .shortcutStart:
                    swap(&x, &pending[pending.count - 1])
                case .residualAddition(let a):
                    let output = a.forward(body: pending.removeLast(), shortcut: x)
                    if a.reluBackward != nil { record.output = output }
                    x = output
                case .convolution(let c):
                    let source = x.converted(c.source.input(from: x.pointer))
                    let (weight, bias) = weights[convolution]
                    let filters = blockedWeight(index, c, weight)
                    let output = BlockedBuffer(bytes: step.outputBytes)
                    var arguments = [(DNNL_ARG_SRC, source.raw), (DNNL_ARG_WEIGHTS, filters.raw), (DNNL_ARG_DST, output.raw)]
                    if let bias { arguments.append((DNNL_ARG_BIAS, UnsafeMutableRawPointer(bias.pointer))) }
                    withExtendedLifetime((filters.owner, bias)) { c.forward.execute(arguments) }
                    record.source = source
                    if c.reluBackward != nil { record.output = output }
                    x = output
                case .pooling(let p):
                    let output = BlockedBuffer(bytes: step.outputBytes)
                    var arguments = [(DNNL_ARG_SRC, x.raw), (DNNL_ARG_DST, output.raw)]
                    if p.workspaceBytes > 0 {
                        let workspace = BlockedBuffer(bytes: p.workspaceBytes)
                        arguments.append((DNNL_ARG_WORKSPACE, workspace.raw))
                        record.workspace = workspace
                    }
                    p.forward.execute(arguments)
                    x = output
                case .relu(let r):
                    let output = BlockedBuffer(bytes: step.outputBytes)
                    r.forward.execute([(DNNL_ARG_SRC, x.raw), (DNNL_ARG_DST, output.raw)])
                    record.output = output
                    x = output
                case .batchNormalization(let b):
                    let output = BlockedBuffer(bytes: step.outputBytes)
                    let (gamma, beta) = normalizations[normalization]
                    let channels = step.outputShape[1]
                    let mean = Tensor(uninitializedShape: [channels]), variance = Tensor(uninitializedShape: [channels])
                    var arguments = [(DNNL_ARG_SRC, x.raw), (DNNL_ARG_DST, output.raw),
                                     (DNNL_ARG_SCALE, UnsafeMutableRawPointer(gamma.pointer)),
                                     (DNNL_ARG_SHIFT, UnsafeMutableRawPointer(beta.pointer)),
                                     (DNNL_ARG_MEAN, UnsafeMutableRawPointer(mean.pointer)),
                                     (DNNL_ARG_VARIANCE, UnsafeMutableRawPointer(variance.pointer))]
                    if b.workspaceBytes > 0 {
                        let workspace = BlockedBuffer(bytes: b.workspaceBytes)
                        arguments.append((DNNL_ARG_WORKSPACE, workspace.raw))
                        record.workspace = workspace
                    }
                    withExtendedLifetime((gamma, beta)) { b.forward.execute(arguments) }
                    (record.source, record.mean, record.variance) = (x, mean, variance)
                    record.count = step.outputShape[0] * step.outputShape[2] * step.outputShape[3]
                    x = output
                }
            }
            if case .convolution = step.kind { convolution += 1 }
            if case .batchNormalization = step.kind { normalization += 1 }
            saved.append(record)
        }
        let output = Tensor(uninitializedShape: outputShape)
        withExtendedLifetime(x.owner) {
            if let outputToPlain {
                ThreadPolicy.forOneDNN(multiplyAdds: output.count) {
                    outputToPlain.execute([(DNNL_ARG_FROM, x.raw), (DNNL_ARG_TO, UnsafeMutableRawPointer(output.pointer))])
                }
            } else {
                output.pointer.update(from: x.pointer, count: output.count)
            }
        }
        return ForwardResult(output: output, saved: saved)
    }

    /// The gradients of the input (when `wantsInput`), of each convolution's weight and bias (when
    /// `wantsWeights` says so for it) and of each batch normalization's gamma and beta (when
    /// `wantsNormalizations` says so), from the output's NCHW gradient and a forward pass's `saved`.
    /// `weights` and `normalizations` are the (plain) parameters the forward pass used.
    func backward(_ gradOutput: Tensor, saved: [Saved], weights: [(weight: Tensor, bias: Tensor?)],
                  normalizations: Normalizations, wantsInput: Bool, wantsWeights: [Bool], wantsNormalizations: [Bool])
        -> (input: Tensor?, weights: [(Tensor, Tensor?)?], normalizations: [(Tensor, Tensor)?]) {
        // needed[i]: whether the gradient of step i's input is needed (by the caller or an earlier parameter).
        // In a residual block, the body and the shortcut both start from whether the block's input needs it.
        var needed: [Bool] = [], neededBefore = wantsInput, convolution = 0, normalization = 0
        var neededAtStart: [Bool] = []
        for step in steps {
            switch step.kind {
            case .residualStart: neededAtStart.append(neededBefore)
            case .shortcutStart: swap(&neededBefore, &neededAtStart[neededAtStart.count - 1])
            case .residualAddition: neededBefore = neededBefore || neededAtStart.removeLast()
            case .convolution, .pooling, .relu, .batchNormalization: break
            }
            needed.append(neededBefore)
            if case .convolution = step.kind {
                neededBefore = neededBefore || wantsWeights[convolution]
                convolution += 1
            }
            if case .batchNormalization = step.kind {
                neededBefore = neededBefore || wantsNormalizations[normalization]
                normalization += 1
            }
        }
        var gradient = BlockedBuffer(pointer: gradOutput.pointer, owner: gradOutput)
        if let gradientFromPlain {
            let reordered = BlockedBuffer(bytes: outputBytes)
            ThreadPolicy.forOneDNN(multiplyAdds: gradOutput.count) {
                gradientFromPlain.execute([(DNNL_ARG_FROM, gradient.raw), (DNNL_ARG_TO, reordered.raw)])
            }
            gradient = reordered
        }
        var weightGradients = [(Tensor, Tensor?)?](repeating: nil, count: weights.count)
        var normalizationGradients = [(Tensor, Tensor)?](repeating: nil, count: normalizations.count)
        // The pending gradients of the open residual blocks, walking back: the body output's until the
        // body is reached, then the shortcut input's until the block's start sums it with the body's.
        var pending: [BlockedBuffer] = []
        for index in steps.indices.reversed() {
            let step = steps[index], record = saved[index]
            if case .convolution = step.kind { convolution -= 1 }
            if case .batchNormalization = step.kind { normalization -= 1 }
            ThreadPolicy.forOneDNN(multiplyAdds: step.work) {
                switch step.kind {
                case .residualAddition(let a):
                    if needed[index], let reluBackward = a.reluBackward, let output = record.output {
                        gradient = step.reluGradient(reluBackward, gradient, output: output)
                    }
                    pending.append(gradient)
                    if needed[index] { gradient = a.shortcutGradient(gradient) }
                case .shortcutStart:
                    swap(&gradient, &pending[pending.count - 1])
                case .residualStart(let r):
                    let shortcut = pending.removeLast()
                    if needed[index] { gradient = r.gradient(body: gradient, shortcut: shortcut, bytes: step.outputBytes) }
                case .convolution(let c):
                    guard wantsWeights[convolution] || needed[index] else { return }
                    if let reluBackward = c.reluBackward, let output = record.output {
                        gradient = step.reluGradient(reluBackward, gradient, output: output)
                    }
                    if wantsWeights[convolution] {
                        weightGradients[convolution] = c.weightGradients(gradient, source: record.source!,
                                                                         hasBias: weights[convolution].bias != nil)
                    }
                    if needed[index] {
                        gradient = c.inputGradient(gradient, weight: weights[convolution].weight,
                                                   bytes: step.inputBytes)
                    }
                case .pooling(let p):
                    guard needed[index] else { return }
                    let gradInput = BlockedBuffer(bytes: step.inputBytes)
                    var arguments = [(DNNL_ARG_DIFF_DST, gradient.raw), (DNNL_ARG_DIFF_SRC, gradInput.raw)]
                    if let workspace = record.workspace { arguments.append((DNNL_ARG_WORKSPACE, workspace.raw)) }
                    withExtendedLifetime(record.workspace?.owner) { p.backward.execute(arguments) }
                    gradient = gradInput
                case .relu(let r):
                    guard needed[index] else { return }
                    gradient = step.reluGradient(r.backward, gradient, output: record.output!)
                case .batchNormalization(let b):
                    guard needed[index] || wantsNormalizations[normalization] else { return }
                    let (gamma, beta) = normalizations[normalization]
                    let gradInput = BlockedBuffer(bytes: step.inputBytes)
                    let gradGamma = Tensor(uninitializedShape: gamma.shape), gradBeta = Tensor(uninitializedShape: beta.shape)
                    let source = record.source!, mean = record.mean!, variance = record.variance!
                    var arguments = [(DNNL_ARG_SRC, source.raw), (DNNL_ARG_DIFF_DST, gradient.raw),
                                     (DNNL_ARG_SCALE, UnsafeMutableRawPointer(gamma.pointer)),
                                     (DNNL_ARG_SHIFT, UnsafeMutableRawPointer(beta.pointer)),  // oneDNN 2.6 requires it
                                     (DNNL_ARG_MEAN, UnsafeMutableRawPointer(mean.pointer)),
                                     (DNNL_ARG_VARIANCE, UnsafeMutableRawPointer(variance.pointer)),
                                     (DNNL_ARG_DIFF_SRC, gradInput.raw),
                                     (DNNL_ARG_DIFF_SCALE, UnsafeMutableRawPointer(gradGamma.pointer)),
                                     (DNNL_ARG_DIFF_SHIFT, UnsafeMutableRawPointer(gradBeta.pointer))]
                    if let workspace = record.workspace { arguments.append((DNNL_ARG_WORKSPACE, workspace.raw)) }
                    withExtendedLifetime((source.owner, gradient.owner, record.workspace?.owner, gamma, beta, mean, variance)) {
                        b.backward.execute(arguments)
                    }
                    normalizationGradients[normalization] = (gradGamma, gradBeta)
                    gradient = gradInput
                }
            }
        }
        // The first step's input layout is the plain NCHW of the input, so its buffer is the gradient.
        let gradInput = wantsInput ? Tensor(shape: inputShape, storage: gradient.owner as! TensorStorage) : nil
        return (gradInput, weightGradients, normalizationGradients)
    }

    /// Convolution `index`'s weight in the layout its forward primitive chose, reordered at every forward
    /// pass. Not cached by storage version: in training the weights change every step anyway (nothing to
    /// save), and an optimizer written elsewhere that updates weights through `pointer` without
    /// `bumpVersion()` would otherwise train on stale weights without a word.
    private func blockedWeight(_ index: Int, _ c: BlockedTrainingStep.Convolution, _ weight: Tensor) -> BlockedBuffer {
        let plain = BlockedBuffer(pointer: weight.pointer, owner: weight.storage)
        return plain.converted(c.weight.input(from: weight.pointer))
    }
}
