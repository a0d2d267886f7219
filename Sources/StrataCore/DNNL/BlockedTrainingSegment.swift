import Foundation

/// A run of convolutions (with a bias and a ReLU fused), poolings and ReLUs trained as ONE
/// differentiable op whose activations stay in oneDNN's blocked layouts (nChw16c and the like) from
/// operation to operation.
///
/// The forward pass reorders the NCHW input once (when the first convolution wants another layout),
/// runs oneDNN's forward-training primitives, and reorders only the segment's output to NCHW; the
/// backward pass runs the backward primitives in reverse in the same layouts and returns the gradient
/// of the input and of every weight and bias (plain OIHW). The layer-by-layer ops (`conv2d`, `relu`,
/// `maxPool2d`, `avgPool2d`) are its reference: the results agree within float rounding. Primitives
/// are made once per (operations, batch size, thread count) and shared by every segment of that
/// shape; each weight's blocked copy is reordered again only when its storage version changes.
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

    private struct PlanKey: Hashable {
        let operations: [BlockedTrainingOperation]
        let threads: Int
    }

    private static let plans = DNNLPrimitiveCache<PlanKey, BlockedTrainingPlan>(capacity: 32)

    /// The operations in turn on `input` (N, C, H, W), giving (N, C', H', W'); recorded on the tape
    /// when the input or a weight or bias requires gradients. Traps with a message naming the
    /// operation and the shapes when they do not fit.
    public func forward(_ input: Tensor) -> Tensor {
        precondition(!layers.isEmpty, "BlockedTrainingSegment.forward: the segment has no operation")
        var operations: [BlockedTrainingOperation] = [], weights: [(weight: Tensor, bias: Tensor?)] = []
        var shape = input.shape
        for layer in layers {
            switch layer {
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
            }
        }
        let plain = input.contiguousStorageView()
        let key = PlanKey(operations: operations, threads: ThreadPolicy.threadCount)
        let plan = Self.plans.primitive(for: key) { BlockedTrainingPlan(operations, inputShape: plain.shape) }
        let result = plan.forward(plain, weights: weights)
        let parameters = layers.flatMap { layer -> [Tensor] in
            guard case let .convolution(weight, bias, _, _, _, _, _, _) = layer else { return [] }
            return [weight] + (bias.map { [$0] } ?? [])
        }
        let inputs = [input] + parameters
        guard Tensor.needsGrad(inputs) else { return result.output }
        let wantsInput = input.requiresGrad
        let wantsWeights = layers.compactMap { layer -> Bool? in
            guard case let .convolution(weight, bias, _, _, _, _, _, _) = layer else { return nil }
            return weight.requiresGrad || (bias?.requiresGrad ?? false)
        }
        let saved = result.saved
        let savedTensors = [plain] + weights.flatMap { [$0.weight] + ($0.bias.map { [$0] } ?? []) }
        result.output.record("blockedTrainingSegment", inputs, saving: savedTensors) { gradOutput in
            let gradients = plan.backward(gradOutput.contiguousStorageView(), saved: saved, weights: weights,
                                          wantsInput: wantsInput, wantsWeights: wantsWeights)
            var all: [Tensor?] = [gradients.input]
            for (pair, parameters) in zip(gradients.weights, weights) {
                all.append(pair?.0)
                if parameters.bias != nil { all.append(pair?.1) }
            }
            return all
        }
        return result.output
    }
}
