import Foundation

/// A run of convolutions (with a bias and a ReLU fused), batch normalizations with the batch's
/// statistics (ReLU fused), poolings, ReLUs and residual blocks of these (body + shortcut, ReLU fused)
/// trained as ONE differentiable op whose activations stay in oneDNN's blocked layouts (nChw16c and the
/// like) from operation to operation.
///
/// The forward pass reorders the NCHW input once (when the first convolution wants another layout),
/// runs oneDNN's forward-training primitives, updates the running statistics, and reorders only the
/// segment's output to NCHW; the backward pass runs the backward primitives in reverse in the same
/// layouts and returns the gradient of the input, of every weight and bias (plain OIHW) and of every
/// gamma and beta. The layer-by-layer ops (`conv2d`, `batchNorm2d`, `relu`, `maxPool2d`, `avgPool2d`)
/// are its reference: the results agree within float rounding. Primitives
/// are made once per (operations, batch size, thread count) and shared by every segment of that
/// shape; each weight is reordered into its blocked layout at every forward pass.
///
/// ```swift
/// var segment = BlockedTrainingSegment()
/// segment.convolution(weight: kernel, bias: bias, relu: true)   // (N, 1, 28, 28) → (N, 32, 26, 26)
/// segment.pool(kind: .max, kernel: (2, 2), stride: (2, 2))      // → (N, 32, 13, 13)
/// let features = segment.forward(images)                        // recorded for backward()
/// ```
public struct BlockedTrainingSegment {
    /// One operation, with the tensors and parameters it was described with.
    enum Layer {
        case convolution(weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
                         paddingEnd: (Int, Int)?, dilation: (Int, Int), groups: Int, relu: Bool)
        case pooling(PoolingKind, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), paddingEnd: (Int, Int)?)
        case relu
        case batchNormalization(gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, momentum: Float,
                                epsilon: Float, relu: Bool)
        /// The start of a residual block (its body follows).
        case residualStart
        /// The end of a residual block's body and the start of its shortcut (empty for the identity).
        case shortcutStart
        /// body + shortcut, then max(·, 0) when `relu`: the end of a residual block.
        case residualAddition(relu: Bool)
    }

    private var layers: [Layer] = []

    /// An empty segment.
    public init() {}

    /// The number of operations described.
    public var count: Int { layers.count }

    /// relu?(convolution(x, weight) + bias): a 2-D convolution with `weight` (O, C/groups, KH, KW) and
    /// an optional `bias` (O), with the arguments of `Tensor.conv2d`, then max(·, 0) when `relu`.
    public mutating func convolution(weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                                     padding: (Int, Int) = (0, 0), paddingEnd: (Int, Int)? = nil,
                                     dilation: (Int, Int) = (1, 1), groups: Int = 1, relu: Bool = false) {
        layers.append(.convolution(weight: weight, bias: bias, stride: stride, padding: padding, paddingEnd: paddingEnd,
                                   dilation: dilation, groups: groups, relu: relu))
    }

    /// Max or average pooling, with the arguments of `Tensor.maxPool2d` / `avgPool2d` (average counts the padding).
    public mutating func pool(kind: PoolingKind, kernel: (Int, Int), stride: (Int, Int),
                              padding: (Int, Int) = (0, 0), paddingEnd: (Int, Int)? = nil) {
        layers.append(.pooling(kind, kernel: kernel, stride: stride, padding: padding, paddingEnd: paddingEnd))
    }

    /// max(x, 0) on its own.
    public mutating func relu() { layers.append(.relu) }

    /// Batch normalization with the batch's statistics and the running statistics updated, exactly as
    /// `Tensor.batchNorm2d(…, training: true, momentum:, epsilon:, relu:)` does: `gamma` and `beta` are
    /// (C) and differentiable, `runningMean` and `runningVar` (C) buffers updated in place.
    public mutating func batchNormalization(gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor,
                                            momentum: Float = 0.1, epsilon: Float = 1e-5, relu: Bool = false) {
        layers.append(.batchNormalization(gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                                          momentum: momentum, epsilon: epsilon, relu: relu))
    }

    /// relu?(body(x) + shortcut(x)): a residual block whose body and shortcut are segments of their own
    /// (nil: the identity), both mapping (N, C, H, W) to the same (N, C', H', W'). Its activations stay
    /// blocked too; in the backward pass the gradient goes to both paths and is summed where they start.
    public mutating func residual(_ body: BlockedTrainingSegment, shortcut: BlockedTrainingSegment? = nil,
                                  relu: Bool = false) {
        precondition(!body.layers.isEmpty, "BlockedTrainingSegment.residual: the body has no operation")
        layers += [.residualStart] + body.layers + [.shortcutStart] + (shortcut?.layers ?? []) + [.residualAddition(relu: relu)]
    }

    private struct PlanKey: Hashable {
        let operations: [BlockedTrainingOperation]
        let threads: Int
        let precision: Precision
        let float32NormalizationInputs: Bool
    }

    /// Whether, in bfloat16, a convolution followed by a batch normalization writes its output in Float32,
    /// so the normalization's statistics and its output see the unrounded sums (and its gradient is Float32);
    /// the next convolution's input is rounded to bfloat16 as before. Off by default: on the idle machine it
    /// cost vgg 1.21× and resnet20 1.41× in step time at two threads (the added conversions) and nearly all
    /// of bfloat16's memory saving. `STRATA_BF16_NORMALIZATION=f32` turns it on (`bf16`, the default, off);
    /// settable for tests and benchmarks.
    public nonisolated(unsafe) static var float32NormalizationInputs: Bool =
        ProcessInfo.processInfo.environment["STRATA_BF16_NORMALIZATION"]?.lowercased() == "f32"

    /// The precision the segment runs in on this thread: `Precision.current` where oneDNN runs bfloat16
    /// natively, else Float32 (`Sequential` runs the layers one by one in bfloat16 there).
    public static var precision: Precision {
        Precision.current == .bfloat16 && Precision.bfloat16IsNative ? .bfloat16 : .float32
    }

    private static let plans = DNNLPrimitiveCache<PlanKey, BlockedTrainingPlan>(capacity: 32)

    /// The operations in turn on `input` (N, C, H, W), giving (N, C', H', W'); recorded on the tape
    /// when the input or a parameter requires gradients. Under `Precision.with(.bfloat16)` (where native,
    /// `BlockedTrainingSegment.precision`) the convolutions read bfloat16 operands with Float32 accumulation
    /// and the activations between the operations are stored in bfloat16; the weights, the batch
    /// normalizations' statistics, scales and shifts, the input, the output and the gradients of the
    /// input and the parameters stay Float32. Traps with a message naming the
    /// operation and the shapes when they do not fit.
    public func forward(_ input: Tensor) -> Tensor {
        precondition(!layers.isEmpty, "BlockedTrainingSegment.forward: the segment has no operation")
        var operations: [BlockedTrainingOperation] = [], weights: [(weight: Tensor, bias: Tensor?)] = []
        var normalizations: BlockedTrainingPlan.Normalizations = []
        var shape = input.shape, pendingShapes: [[Int]] = []  // as `BlockedTrainingPlan.init`'s pending layouts
        for layer in layers {
            switch layer {
            case .residualStart:
                operations.append(.residualStart(shape: shape))
                pendingShapes.append(shape)
            case .shortcutStart:
                swap(&shape, &pendingShapes[pendingShapes.count - 1])
                operations.append(.shortcutStart(shape: shape))
            case let .residualAddition(relu):
                let body = pendingShapes.removeLast()
                precondition(body == shape, "BlockedTrainingSegment.residual: the body gives \(body.shapeText) but the shortcut gives \(shape.shapeText)")
                operations.append(.residualAddition(shape: shape, relu: relu))
            case let .convolution(weight, bias, stride, padding, paddingEnd, dilation, groups, relu):
                let g = Conv2DGeometry(input: shape, weight: weight.shape, bias: bias?.shape, stride: stride,
                                       padding: padding, paddingEnd: paddingEnd, dilation: dilation, groups: groups,
                                       op: "BlockedTrainingSegment.convolution")
                operations.append(.convolution(g, hasBias: bias != nil, relu: relu))
                weights.append((weight.contiguousStorageView(), bias?.contiguousStorageView()))
                shape = g.outputShape
            case let .pooling(kind, kernel, stride, padding, paddingEnd):
                let g = Pool2DGeometry(input: shape, kernel: kernel, stride: stride, padding: padding,
                                       paddingEnd: paddingEnd, op: "BlockedTrainingSegment.pool")
                operations.append(.pooling(kind == .max ? .max : .average, g))
                shape = g.outputShape
            case .relu:
                precondition(shape.count == 4, "BlockedTrainingSegment.relu: input \(shape.shapeText) must be (N, C, H, W)")
                operations.append(.relu(shape: shape))
            case let .batchNormalization(gamma, beta, runningMean, runningVar, _, epsilon, relu):
                precondition(shape.count == 4 && shape[0] * shape[2] * shape[3] > 1,
                             "BlockedTrainingSegment.batchNormalization: input \(shape.shapeText) must be (N, C, H, W) with more than one value per channel")
                for (name, tensor) in [("gamma", gamma), ("beta", beta), ("runningMean", runningMean), ("runningVar", runningVar)] {
                    precondition(tensor.shape == [shape[1]] && tensor.isContiguous,
                                 "BlockedTrainingSegment.batchNormalization: input \(shape.shapeText) but \(name) \(tensor.shape.shapeText)")
                }
                operations.append(.batchNormalization(shape: shape, epsilonBits: epsilon.bitPattern, relu: relu))
                normalizations.append((gamma.contiguousStorageView(), beta.contiguousStorageView()))
            }
        }
        let plain = input.contiguousStorageView()
        let precision = Self.precision
        let float32Normalization = Self.float32NormalizationInputs
        let key = PlanKey(operations: operations, threads: ThreadPolicy.threadCount, precision: precision,
                          float32NormalizationInputs: float32Normalization)
        let plan = Self.plans.primitive(for: key) {
            BlockedTrainingPlan(operations, inputShape: plain.shape, precision: precision,
                                float32NormalizationInputs: float32Normalization)
        }
        let result = plan.forward(plain, weights: weights, normalizations: normalizations)
        updateRunningStatistics(result.saved)
        let inputs = [input] + parameters
        guard Tensor.needsGrad(inputs) else { return result.output }
        let wantsInput = input.requiresGrad
        var wantsWeights: [Bool] = [], wantsNormalizations: [Bool] = []
        for layer in layers {
            switch layer {
            case let .convolution(weight, bias, _, _, _, _, _, _):
                wantsWeights.append(weight.requiresGrad || (bias?.requiresGrad ?? false))
            case let .batchNormalization(gamma, beta, _, _, _, _, _):
                wantsNormalizations.append(gamma.requiresGrad || beta.requiresGrad)
            case .pooling, .relu, .residualStart, .shortcutStart, .residualAddition:
                break
            }
        }
        let saved = result.saved, layers = self.layers
        let savedTensors = [plain] + weights.flatMap { [$0.weight] + ($0.bias.map { [$0] } ?? []) }
            + normalizations.flatMap { [$0.gamma, $0.beta] }
        result.output.record("blockedTrainingSegment", inputs, saving: savedTensors) { gradOutput in
            let gradients = plan.backward(gradOutput.contiguousStorageView(), saved: saved, weights: weights,
                                          normalizations: normalizations, wantsInput: wantsInput,
                                          wantsWeights: wantsWeights, wantsNormalizations: wantsNormalizations)
            var all: [Tensor?] = [gradients.input], convolution = 0, normalization = 0
            for layer in layers {
                switch layer {
                case let .convolution(_, bias, _, _, _, _, _, _):
                    all.append(gradients.weights[convolution]?.0)
                    if bias != nil { all.append(gradients.weights[convolution]?.1) }
                    convolution += 1
                case .batchNormalization:
                    all += [gradients.normalizations[normalization]?.0, gradients.normalizations[normalization]?.1]
                    normalization += 1
                case .pooling, .relu, .residualStart, .shortcutStart, .residualAddition:
                    break
                }
            }
            return all
        }
        return result.output
    }

    /// The differentiable tensors of the operations, in order: each convolution's weight and bias, each
    /// batch normalization's gamma and beta.
    private var parameters: [Tensor] {
        layers.flatMap { layer -> [Tensor] in
            switch layer {
            case let .convolution(weight, bias, _, _, _, _, _, _): return [weight] + (bias.map { [$0] } ?? [])
            case let .batchNormalization(gamma, beta, _, _, _, _, _): return [gamma, beta]
            case .pooling, .relu, .residualStart, .shortcutStart, .residualAddition: return []
            }
        }
    }

    /// running = (1 − momentum) · running + momentum · batch for each batch normalization, with the
    /// unbiased batch variance (N·H·W / (N·H·W − 1) times the biased one), as `Tensor.batchNorm2d` does.
    private func updateRunningStatistics(_ saved: [BlockedTrainingPlan.Saved]) {
        var statistics = saved.compactMap { record in record.mean.map { ($0, record.variance!, record.count) } }[...]
        for layer in layers {
            guard case let .batchNormalization(_, _, runningMean, runningVar, momentum, _, _) = layer,
                  let (mean, variance, perChannel) = statistics.popFirst() else { continue }
            let unbias = Float(perChannel) / Float(perChannel - 1)
            for c in 0..<mean.count {
                runningMean.pointer[c] = (1 - momentum) * runningMean.pointer[c] + momentum * mean.pointer[c]
                runningVar.pointer[c] = (1 - momentum) * runningVar.pointer[c] + momentum * variance.pointer[c] * unbias
            }
            runningMean.storage.bumpVersion()
            runningVar.storage.bumpVersion()
        }
    }
}
