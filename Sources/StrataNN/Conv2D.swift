import StrataCore

/// A 2-D convolution over `(N, C, H, W)` batches: `activation(conv(x, kernel) + bias)`.
///
/// The kernel is `(filters, C / groups, KH, KW)`. Padding "same" keeps ⌈size / stride⌉ outputs per axis.
public final class Conv2D: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `Conv2D`.
    public var typeName: String { "Conv2D" }
    /// The number of output channels.
    public let filters: Int
    /// The window's height and width.
    public let kernelSize: (height: Int, width: Int)
    /// The step between windows along height and width.
    public let strides: (height: Int, width: Int)
    /// "valid", "same" or "sameKeras" (see `Padding`).
    public let padding: Padding
    /// The spacing between kernel taps.
    public let dilation: (height: Int, width: Int)
    /// The number of channel groups (channels are split into this many independent convolutions).
    public let groups: Int
    /// Whether a bias is added.
    public let useBias: Bool
    /// The function applied to the result.
    public let activation: Activation
    /// How the kernel is initialized (Glorot uniform by default).
    public let kernelInitializer: Initializer
    /// How the bias is initialized (zeros by default).
    public let biasInitializer: Initializer
    /// The kernel `(filters, C / groups, KH, KW)`, created by `build`.
    public private(set) var kernel: Tensor?
    /// The bias `(filters)`, created by `build` when `useBias`.
    public private(set) var bias: Tensor?
    /// The zero rows and columns added at the top and left, resolved from `padding` by `outputShape(for:)`.
    public private(set) var paddingAmount = (0, 0)
    /// The zero rows and columns added at the bottom and right, resolved from `padding` by `outputShape(for:)`.
    public private(set) var paddingEndAmount = (0, 0)

    /// A convolution with `filters` outputs and a `kernelSize` window.
    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                dilation: (Int, Int) = (1, 1), groups: Int = 1, useBias: Bool = true, activation: Activation = .linear,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        precondition(filters > 0 && kernelSize.0 > 0 && kernelSize.1 > 0 && strides.0 > 0 && strides.1 > 0
                     && dilation.0 > 0 && dilation.1 > 0 && groups > 0,
                     "Conv2D: filters, kernel size, strides, dilation and groups must be positive")
        precondition(filters % groups == 0, "Conv2D: filters \(filters) not divisible by groups \(groups)")
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.useBias = useBias
        self.activation = activation
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
    }

    /// A convolution with a square window and equal strides and dilation.
    public convenience init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                            dilation: Int = 1, groups: Int = 1, useBias: Bool = true, activation: Activation = .linear,
                            kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        self.init(filters, kernelSize: (kernelSize, kernelSize), strides: (strides, strides), padding: padding,
                  dilation: (dilation, dilation), groups: groups, useBias: useBias, activation: activation,
                  kernelInitializer: kernelInitializer, biasInitializer: biasInitializer)
    }

    /// `(C, H, W)` → `(filters, H', W')`.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw LayerError.incompatibleShape(self, got: inputShape, expected: "(None, channels, height, width)")
        }
        guard inputShape[0] % groups == 0 else {
            throw LayerError.incompatibleShape(self, got: inputShape, expected: "channels divisible by groups \(groups)")
        }
        let padH = try padding.amounts(size: inputShape[1], kernel: kernelSize.height, stride: strides.height,
                                       dilation: dilation.height, layer: name)
        let padW = try padding.amounts(size: inputShape[2], kernel: kernelSize.width, stride: strides.width,
                                       dilation: dilation.width, layer: name)
        paddingAmount = (padH.before, padW.before)
        paddingEndAmount = (padH.after, padW.after)
        let height = Padding.outputSize(size: inputShape[1], kernel: kernelSize.height, stride: strides.height,
                                        dilation: dilation.height, before: padH.before, after: padH.after)
        let width = Padding.outputSize(size: inputShape[2], kernel: kernelSize.width, stride: strides.width,
                                       dilation: dilation.width, before: padW.before, after: padW.after)
        guard height > 0 && width > 0 else {
            throw LayerError.incompatibleShape(self, got: inputShape,
                                               expected: "height and width of at least the \(kernelSize.height)×\(kernelSize.width) window")
        }
        return [filters, height, width]
    }

    /// Creates the kernel `(filters, C / groups, KH, KW)` and the bias `(filters)`.
    public func build(inputShape: [Int], generator: inout RandomGenerator) throws -> [Int] {
        let output = try outputShape(for: inputShape)
        kernel = kernelInitializer.make([filters, inputShape[0] / groups, kernelSize.height, kernelSize.width],
                                        generator: &generator)
        bias = useBias ? biasInitializer.make([filters], generator: &generator) : nil
        return output
    }

    /// activation(conv(x) + bias).
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard let kernel else { preconditionFailure("Conv2D \(name): forward before build(inputShape:)") }
        // A ReLU is computed in the convolution's output buffer (`conv2d(relu:)`): one activation kept, not two.
        let fusesReLU = activation == .relu
        let output = input.conv2d(kernel, bias: bias, stride: strides, padding: paddingAmount,
                                  paddingEnd: paddingEndAmount, dilation: dilation, groups: groups, relu: fusesReLU)
        return fusesReLU ? output : activation.apply(output)
    }

    /// `kernel`, then `bias`.
    public var parameters: [Parameter] {
        [kernel.map { Parameter(name: "kernel", tensor: $0) }, bias.map { Parameter(name: "bias", tensor: $0) }]
            .compactMap { $0 }
    }
}
