import StrataCore
import StrataNN

/// Translates a built network, layer by layer, into an ONNX graph (opset 17): each layer becomes the
/// operators that compute what its `forward(_:training: false)` computes, with the weights as
/// initializers. Tensors flow `(N, …)`, with images `(N, C, H, W)` as in Strata.
struct ONNXGraphBuilder {
    /// The graph so far.
    private(set) var graph = ONNXGraph(name: "strata")
    private var takenNames: Set<String> = ["input", "output"]
    private var scalarConstants: [Float: String] = [:]

    /// The graph of `network` for examples of `inputShape` (batch excluded): input `input` `(N, …)`,
    /// output `output` `(N, …)`. Throws `ONNXExportError` naming the first layer ONNX cannot express.
    static func graph(of network: any Layer, inputShape: [Int]) throws -> ONNXGraph {
        var builder = ONNXGraphBuilder()
        let (result, outputShape) = try builder.emit(network, input: "input", shape: inputShape)
        builder.nameOutput(result)
        builder.graph.inputs = [ONNXValueInfo(name: "input", shape: [.symbol("N")] + inputShape.map { .size($0) })]
        builder.graph.outputs = [ONNXValueInfo(name: "output", shape: [.symbol("N")] + outputShape.map { .size($0) })]
        return builder.graph
    }

    /// Adds the operators of `layer` applied to the tensor named `input` of per-example `shape`;
    /// returns the name and per-example shape of the result.
    mutating func emit(_ layer: any Layer, input: String, shape: [Int]) throws -> (String, [Int]) {
        let outputShape = try layer.outputShape(for: shape)
        switch layer {
        case let sequence as Sequential:
            var current = (input, shape)
            for inner in sequence.layers { current = try emit(inner, input: current.0, shape: current.1) }
            return current
        case let residual as Residual:
            let (main, _) = try emit(residual.block, input: input, shape: shape)
            let side = try residual.shortcut.map { try emit($0, input: input, shape: shape).0 } ?? input
            return (add("Add", [main, side], layer), outputShape)
        case let concatenate as Concatenate:
            var joined: [String] = []
            for branch in concatenate.branches { joined.append(try emit(branch, input: input, shape: shape).0) }
            return (add("Concat", joined, layer, [ONNXAttribute(name: "axis", value: .int(concatenate.axis + 1))]), outputShape)
        case let dense as Dense:
            return (try emitDense(dense, input: input, shape: shape), outputShape)
        case let convolution as Conv2D:
            return (try emitConvolution(convolution, input: input), outputShape)
        case let normalization as BatchNormalization:
            guard let gamma = normalization.gamma, let beta = normalization.beta, let mean = normalization.movingMean,
                  let variance = normalization.movingVariance else { throw ONNXExportError.unbuilt(layer) }
            let inputs = [input, weight(gamma, layer, "gamma"), weight(beta, layer, "beta"),
                          weight(mean, layer, "moving_mean"), weight(variance, layer, "moving_variance")]
            return (add("BatchNormalization", inputs, layer,
                        [ONNXAttribute(name: "epsilon", value: .float(normalization.epsilon))]), outputShape)
        case let pool as MaxPool2D:
            return (add("MaxPool", [input], layer, windowAttributes(pool.window)), outputShape)
        case let pool as AveragePool2D:
            let attributes = windowAttributes(pool.window) + [ONNXAttribute(name: "count_include_pad", value: .int(1))]
            return (add("AveragePool", [input], layer, attributes), outputShape)
        case is GlobalAveragePool2D:
            // (N, C, H, W) → (N, C, 1, 1) → (N, C).
            let pooled = add("GlobalAveragePool", [input], layer)
            return (add("Flatten", [pooled], layer, [ONNXAttribute(name: "axis", value: .int(1))]), outputShape)
        case is Flatten:
            // Row-major over (C, H, W), as Strata flattens.
            return (add("Flatten", [input], layer, [ONNXAttribute(name: "axis", value: .int(1))]), outputShape)
        case let reshape as Reshape:
            // 0 copies the batch size; the target may hold one −1.
            let target = constant(.int64(uniqueName("\(layer.name).shape"), values: [0] + reshape.targetShape))
            return (add("Reshape", [input, target], layer), outputShape)
        case is Dropout:
            return (input, outputShape)
        case let normalization as UnitNormalization:
            return (emitUnitNormalization(normalization, input: input), outputShape)
        case is ReLU:
            return (try emitActivation(.relu, input: input, layer: layer), outputShape)
        case let leaky as LeakyReLU:
            return (try emitActivation(.leakyRelu(negativeSlope: leaky.negativeSlope), input: input, layer: layer), outputShape)
        case let elu as ELU:
            return (try emitActivation(.elu(alpha: elu.alpha), input: input, layer: layer), outputShape)
        case is GELU:
            return (try emitActivation(.gelu, input: input, layer: layer), outputShape)
        case is Sigmoid:
            return (try emitActivation(.sigmoid, input: input, layer: layer), outputShape)
        case is Tanh:
            return (try emitActivation(.tanh, input: input, layer: layer), outputShape)
        case let softmax as Softmax:
            return (add("Softmax", [input], layer, [ONNXAttribute(name: "axis", value: .int(softmax.axis))]), outputShape)
        default:
            throw ONNXExportError.unsupported(layer)
        }
    }

    /// Gemm on `(N, in)`; MatMul then Add on more axes (Dense acts on the last axis); then the activation.
    private mutating func emitDense(_ dense: Dense, input: String, shape: [Int]) throws -> String {
        guard let kernel = dense.kernel else { throw ONNXExportError.unbuilt(dense) }
        let weights = weight(kernel, dense, "kernel")
        let bias = dense.bias.map { weight($0, dense, "bias") }
        let affine: String
        if shape.count == 1 {
            affine = add("Gemm", [input, weights] + (bias.map { [$0] } ?? []), dense)
        } else {
            let product = add("MatMul", [input, weights], dense)
            affine = bias.map { add("Add", [product, $0], dense) } ?? product
        }
        return try emitActivation(dense.activation, input: affine, layer: dense)
    }

    /// Conv with Strata's explicit padding (top and left, then bottom and right: they differ for Keras-style
    /// "same" with an odd total), then the activation.
    private mutating func emitConvolution(_ convolution: Conv2D, input: String) throws -> String {
        guard let kernel = convolution.kernel else { throw ONNXExportError.unbuilt(convolution) }
        let inputs = [input, weight(kernel, convolution, "kernel")] + (convolution.bias.map { [weight($0, convolution, "bias")] } ?? [])
        let (top, left) = convolution.paddingAmount
        let (bottom, right) = convolution.paddingEndAmount
        let attributes = [
            ONNXAttribute(name: "kernel_shape", value: .ints([convolution.kernelSize.height, convolution.kernelSize.width])),
            ONNXAttribute(name: "strides", value: .ints([convolution.strides.height, convolution.strides.width])),
            ONNXAttribute(name: "pads", value: .ints([top, left, bottom, right])),
            ONNXAttribute(name: "dilations", value: .ints([convolution.dilation.height, convolution.dilation.width])),
            ONNXAttribute(name: "group", value: .int(convolution.groups)),
        ]
        let output = add("Conv", inputs, convolution, attributes)
        return try emitActivation(convolution.activation, input: output, layer: convolution)
    }

    /// x / max(‖x‖, ε) along the last axis: ReduceL2, Max, Div.
    private mutating func emitUnitNormalization(_ layer: UnitNormalization, input: String) -> String {
        let norm = add("ReduceL2", [input], layer, [ONNXAttribute(name: "axes", value: .ints([-1])),
                                                    ONNXAttribute(name: "keepdims", value: .int(1))])
        let divisor = add("Max", [norm, scalar(layer.epsilon)], layer)
        return add("Div", [input, divisor], layer)
    }

    /// The operators of `activation` on `input` (none for linear). GELU is x·Φ(x) with Φ through Erf
    /// (opset 17 has no Gelu): 0.5·x·(1 + erf(x / √2)).
    private mutating func emitActivation(_ activation: Activation, input: String, layer: any Layer) throws -> String {
        switch activation {
        case .linear: return input
        case .relu: return add("Relu", [input], layer)
        case .leakyRelu(let slope): return add("LeakyRelu", [input], layer, [ONNXAttribute(name: "alpha", value: .float(slope))])
        case .elu(let alpha): return add("Elu", [input], layer, [ONNXAttribute(name: "alpha", value: .float(alpha))])
        case .sigmoid: return add("Sigmoid", [input], layer)
        case .tanh: return add("Tanh", [input], layer)
        case .softmax: return add("Softmax", [input], layer, [ONNXAttribute(name: "axis", value: .int(-1))])
        case .gelu:
            let scaled = add("Div", [input, scalar(Float(2).squareRoot())], layer)
            let erf = add("Erf", [scaled], layer)
            let onePlus = add("Add", [erf, scalar(1)], layer)
            let product = add("Mul", [input, onePlus], layer)
            return add("Mul", [product, scalar(0.5)], layer)
        }
    }

    /// kernel_shape, strides and pads of a pooling window.
    private func windowAttributes(_ window: PoolingWindow) -> [ONNXAttribute] {
        let (top, left) = window.paddingAmount
        let (bottom, right) = window.paddingEndAmount
        return [ONNXAttribute(name: "kernel_shape", value: .ints([window.size.height, window.size.width])),
                ONNXAttribute(name: "strides", value: .ints([window.strides.height, window.strides.width])),
                ONNXAttribute(name: "pads", value: .ints([top, left, bottom, right]))]
    }

    /// Adds a node `opType` of `layer`; returns the name of its one output.
    private mutating func add(_ opType: String, _ inputs: [String], _ layer: any Layer,
                              _ attributes: [ONNXAttribute] = []) -> String {
        let stem = "\(layer.name.isEmpty ? layer.typeName : layer.name)/\(opType)"
        let output = uniqueName(stem)
        graph.nodes.append(ONNXNode(opType: opType, inputs: inputs, outputs: [output], name: output, attributes: attributes))
        return output
    }

    /// Adds `tensor` as a float32 initializer named `layer.part`; returns the name.
    private mutating func weight(_ tensor: Tensor, _ layer: any Layer, _ part: String) -> String {
        constant(.float(uniqueName("\(layer.name).\(part)"), dims: tensor.shape, values: tensor.contiguous().scalars))
    }

    /// A scalar float32 initializer, shared by every node that needs the same value.
    private mutating func scalar(_ value: Float) -> String {
        if let name = scalarConstants[value] { return name }
        let name = constant(.float(uniqueName("constant"), dims: [], values: [value]))
        scalarConstants[value] = name
        return name
    }

    private mutating func constant(_ tensor: ONNXTensor) -> String {
        graph.initializers.append(tensor)
        return tensor.name
    }

    /// `stem`, or `stem_1`, `stem_2`, … when taken.
    private mutating func uniqueName(_ stem: String) -> String {
        var candidate = stem, counter = 0
        while takenNames.contains(candidate) {
            counter += 1
            candidate = "\(stem)_\(counter)"
        }
        takenNames.insert(candidate)
        return candidate
    }

    /// Renames the node output `result` to `output` (an Identity when the result is the input itself).
    private mutating func nameOutput(_ result: String) {
        if let index = graph.nodes.lastIndex(where: { $0.outputs == [result] }) {
            graph.nodes[index].outputs = ["output"]
            for later in graph.nodes.indices where later > index {
                graph.nodes[later].inputs = graph.nodes[later].inputs.map { $0 == result ? "output" : $0 }
            }
        } else {
            graph.nodes.append(ONNXNode(opType: "Identity", inputs: [result], outputs: ["output"], name: "output"))
        }
    }
}
