import StrataCore

/// A network prepared for fast inference: each run of consecutive layers that oneDNN can chain
/// (convolutions with their batch normalization, ReLU and residual addition fused, pooling, channel
/// concatenation, inference-mode dropout) becomes one `BlockedInferenceGraph`, whose activations stay
/// in oneDNN's blocked layouts; each `Dense` layer becomes a `PackedInnerProduct` (weights packed once,
/// bias and ReLU fused); the other layers (`Flatten`, …) run their own `forward`.
///
/// Gives the same output as `network.forward(input, training: false)` within rounding (batch
/// normalization folded into the convolution's weights changes the order of a few operations).
/// Never records gradients. Weights may change between runs (training, loading): folded weights are
/// refreshed when a parameter's storage version changes.
///
/// ```swift
/// let fast = CompiledInference(network, inputShape: [1, 28, 28])
/// let logits = fast.forward(images)   // == network.forward(images, training: false), within rounding
/// ```
public final class CompiledInference {
    /// A part of the network: a blocked graph with its output (and the output's per-example shape), or a layer.
    private enum Stage {
        case blocked(BlockedInferenceGraph, BlockedInferenceGraph.Value, shape: [Int])
        case dense(PackedInnerProduct, then: Activation)
        case layer(any Layer)
    }

    private let stages: [Stage]

    /// The stages of `network` (already built) for examples of `inputShape` (batch excluded).
    public init(_ network: any Layer, inputShape: [Int]) {
        let layers = (network as? Sequential)?.layers ?? [network]
        var stages: [Stage] = [], index = 0, shape = inputShape
        while index < layers.count {
            if shape.count == 3, let segment = InferenceSegmentCompiler.compile(layers, from: index, inputShape: shape),
               segment.convolutions > 0 {
                stages.append(.blocked(segment.graph, segment.output, shape: segment.outputShape))
                index = segment.end
                shape = segment.outputShape
            } else if let dense = layers[index] as? Dense, let kernel = dense.kernel {
                let relu = dense.activation == .relu
                stages.append(.dense(PackedInnerProduct(weight: kernel, bias: dense.bias, relu: relu),
                                     then: relu ? .linear : dense.activation))
                shape = (try? dense.outputShape(for: shape)) ?? []
                index += 1
            } else {
                stages.append(.layer(layers[index]))
                shape = (try? layers[index].outputShape(for: shape)) ?? []
                index += 1
            }
        }
        // Without a blocked graph or a dense layer, the network's own forward (with its fusions) is the whole program.
        self.stages = stages.contains { if case .layer = $0 { return false } else { return true } }
            ? stages : [.layer(network)]
    }

    /// How many layer runs became blocked graphs (0 when the network has no convolution).
    public var blockedSegments: Int {
        stages.reduce(0) { count, stage in if case .blocked = stage { return count + 1 } else { return count } }
    }

    /// How many `Dense` layers run as a `PackedInnerProduct`.
    public var packedDenseLayers: Int {
        stages.reduce(0) { count, stage in if case .dense = stage { return count + 1 } else { return count } }
    }

    /// The network's inference-mode output for `input` (N, …), without recording gradients.
    public func forward(_ input: Tensor) -> Tensor {
        noGrad {
            var x = input
            for stage in stages {
                switch stage {
                case .blocked(let graph, let output, let shape):
                    x = graph.run(x, output: output).reshaped([x.shape[0]] + shape)
                case .dense(let product, let activation):
                    x = activation == .linear ? product.run(x) : activation.apply(product.run(x))
                case .layer(let layer):
                    x = layer.forward(x, training: false)
                }
            }
            return x
        }
    }
}

/// Turns a run of layers into a `BlockedInferenceGraph`, fusing where oneDNN can.
enum InferenceSegmentCompiler {
    /// A compiled run of layers: the graph, its output, the output's shape, and where the run ended.
    struct Segment {
        let graph: BlockedInferenceGraph
        let output: BlockedInferenceGraph.Value
        let outputShape: [Int]
        let end: Int
        let convolutions: Int
    }

    /// The longest run of `layers` from `start` that compiles (nil when not even the first does).
    static func compile(_ layers: [any Layer], from start: Int, inputShape: [Int]) -> Segment? {
        let graph = BlockedInferenceGraph(inputShape: inputShape)
        var compiler = Builder(graph: graph)
        var x = graph.input, index = start, outputShape = inputShape
        while index < layers.count {
            if layers[index] is GlobalAveragePool2D {
                x = graph.globalAveragePool(x)
                outputShape = [graph.shape(of: x)[0]]
                index += 1
                break  // the (C) output leaves the image layout
            }
            guard let (next, consumed) = compiler.group(layers, from: index, x, residual: nil, relu: false) else { break }
            x = next
            index += consumed
            outputShape = graph.shape(of: x)
        }
        guard index > start else { return nil }
        return Segment(graph: graph, output: x, outputShape: outputShape, end: index, convolutions: compiler.convolutions)
    }

    /// Adds layers to a graph.
    struct Builder {
        let graph: BlockedInferenceGraph
        var convolutions = 0

        /// Compiles the group of layers starting at `index` (a convolution with what follows it, or one
        /// other layer) and returns its value and the number of layers used. When `residual` or `relu`
        /// is given, the group must be the last of `layers` and must be a convolution (they become its
        /// post-ops); nil when the group cannot be compiled.
        mutating func group(_ layers: [any Layer], from index: Int, _ x: BlockedInferenceGraph.Value,
                            residual: BlockedInferenceGraph.Value?, relu: Bool)
            -> (BlockedInferenceGraph.Value, Int)? {
            let layer = layers[index]
            let fusesTail = residual != nil || relu
            if let conv = layer as? Conv2D, let kernel = conv.kernel {
                let convRelu: Bool
                switch conv.activation {
                case .relu: convRelu = true
                case .linear: convRelu = false
                default: return nil
                }
                var used = 1, normalization: BlockedInferenceGraph.Normalization?
                if !convRelu, index + 1 < layers.count, let norm = layers[index + 1] as? BatchNormalization,
                   let gamma = norm.gamma, let beta = norm.beta, let mean = norm.movingMean, let variance = norm.movingVariance {
                    normalization = .init(gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: norm.epsilon)
                    used += 1
                }
                var fusedRelu = convRelu
                if !fusedRelu, residual == nil, index + used < layers.count, layers[index + used] is ReLU {
                    fusedRelu = true
                    used += 1
                }
                if fusesTail && (index + used != layers.count || fusedRelu) { return nil }
                convolutions += 1
                let value = graph.convolution(x, weight: kernel, bias: conv.bias, stride: conv.strides,
                                              padding: conv.paddingAmount, paddingEnd: conv.paddingEndAmount,
                                              dilation: conv.dilation, groups: conv.groups,
                                              normalization: normalization, adding: residual, relu: fusedRelu || relu)
                return (value, used)
            }
            if fusesTail { return nil }
            switch layer {
            case is ReLU:
                return (graph.relu(x), 1)
            case is Dropout:
                return (x, 1)
            case let pool as MaxPool2D:
                return (graph.pool(x, kind: .max, kernel: pool.window.size, stride: pool.window.strides,
                                   padding: pool.window.paddingAmount, paddingEnd: pool.window.paddingEndAmount), 1)
            case let pool as AveragePool2D:
                return (graph.pool(x, kind: .average, kernel: pool.window.size, stride: pool.window.strides,
                                   padding: pool.window.paddingAmount, paddingEnd: pool.window.paddingEndAmount), 1)
            case let residual as Residual:
                let relu = index + 1 < layers.count && layers[index + 1] is ReLU
                guard let value = self.residual(residual, x, relu: relu) else { return nil }
                return (value, relu ? 2 : 1)
            case let concatenate as Concatenate where concatenate.axis == 0:
                var values: [BlockedInferenceGraph.Value] = []
                for branch in concatenate.branches {
                    guard let value = sequence(branch, x) else { return nil }
                    values.append(value)
                }
                return (graph.concatenate(values), 1)
            case let sequential as Sequential:
                return sequence(sequential, x).map { ($0, 1) }
            default:
                return nil
            }
        }

        /// A residual block: the shortcut (or x itself) is added by the block's last convolution,
        /// which also applies the ReLU that follows the block when `relu`.
        private mutating func residual(_ layer: Residual, _ x: BlockedInferenceGraph.Value, relu: Bool)
            -> BlockedInferenceGraph.Value? {
            var side = x
            if let shortcut = layer.shortcut {
                guard let value = sequence(shortcut, x) else { return nil }
                side = value
            }
            let layers = (layer.block as? Sequential)?.layers ?? [layer.block]
            return sequence(layers, x, residual: side, relu: relu)
        }

        /// A layer (a `Sequential`'s layers in turn) compiled from `x`; nil when any part cannot be.
        private mutating func sequence(_ layer: any Layer, _ x: BlockedInferenceGraph.Value) -> BlockedInferenceGraph.Value? {
            sequence((layer as? Sequential)?.layers ?? [layer], x, residual: nil, relu: false)
        }

        /// `layers` in turn from `x`, the last group taking `residual` and `relu` as post-ops.
        private mutating func sequence(_ layers: [any Layer], _ x: BlockedInferenceGraph.Value,
                                       residual: BlockedInferenceGraph.Value?, relu: Bool) -> BlockedInferenceGraph.Value? {
            var value = x, index = 0
            while index < layers.count {
                // Only the group that ends the list takes the post-ops; try it plain first.
                if let (next, used) = group(layers, from: index, value, residual: nil, relu: false),
                   index + used < layers.count || (residual == nil && !relu) {
                    value = next
                    index += used
                    continue
                }
                guard let (next, used) = group(layers, from: index, value, residual: residual, relu: relu),
                      index + used == layers.count else { return nil }
                value = next
                index += used
            }
            return value
        }
    }
}
