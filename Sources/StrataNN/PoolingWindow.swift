import StrataCore

/// The geometry shared by pooling layers: window size, strides, padding, and the padding per side
/// that "same" resolves to for the built input shape.
public struct PoolingWindow: Sendable {
    /// The window's height and width.
    public let size: (height: Int, width: Int)
    /// The step between windows (the window size by default, as in Keras).
    public let strides: (height: Int, width: Int)
    /// "valid", "same" or "sameKeras" (see `Padding`).
    public let padding: Padding
    /// The padding at the top and left, resolved by `outputShape(for:layer:)`.
    public private(set) var paddingAmount = (0, 0)
    /// The padding at the bottom and right, resolved by `outputShape(for:layer:)`.
    public private(set) var paddingEndAmount = (0, 0)

    /// A window of `size` moving by `strides` (default: `size`).
    public init(size: (Int, Int), strides: (Int, Int)?, padding: Padding) {
        precondition(size.0 > 0 && size.1 > 0, "pooling: window size must be positive, got \(size)")
        self.size = size
        self.strides = strides ?? size
        self.padding = padding
    }

    /// `(C, H, W)` → `(C, H', W')`, resolving the padding; throws naming `layer` for bad input.
    public mutating func outputShape(for inputShape: [Int], layer: any Layer) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw LayerError.incompatibleShape(layer, got: inputShape, expected: "(None, channels, height, width)")
        }
        let padH = try padding.amounts(size: inputShape[1], kernel: size.height, stride: strides.height, layer: layer.name)
        let padW = try padding.amounts(size: inputShape[2], kernel: size.width, stride: strides.width, layer: layer.name)
        paddingAmount = (padH.before, padW.before)
        paddingEndAmount = (padH.after, padW.after)
        let height = Padding.outputSize(size: inputShape[1], kernel: size.height, stride: strides.height,
                                        before: padH.before, after: padH.after)
        let width = Padding.outputSize(size: inputShape[2], kernel: size.width, stride: strides.width,
                                       before: padW.before, after: padW.after)
        guard height > 0 && width > 0 else {
            throw LayerError.incompatibleShape(layer, got: inputShape,
                                               expected: "height and width of at least the \(size.height)×\(size.width) window")
        }
        return [inputShape[0], height, width]
    }
}

/// A layer that pools over a `PoolingWindow`: its output shape comes from the window.
public protocol WindowPoolingLayer: Layer {
    /// The window geometry (its padding is resolved when the output shape is computed).
    var window: PoolingWindow { get set }
}

extension WindowPoolingLayer {
    /// `(C, H, W)` → `(C, H', W')`.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        var resolved = window
        let shape = try resolved.outputShape(for: inputShape, layer: self)
        window = resolved
        return shape
    }
}

/// Max pooling over windows of `(N, C, H, W)` batches (Keras's `MaxPool2D`).
public final class MaxPool2D: WindowPoolingLayer {
    /// The layer's name in its model.
    public var name = ""
    /// `MaxPool2D`.
    public var typeName: String { "MaxPool2D" }
    /// The window geometry.
    public var window: PoolingWindow

    /// Max pooling with a `poolSize` window moving by `strides` (default: the window size).
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid) {
        window = PoolingWindow(size: poolSize, strides: strides, padding: padding)
    }

    /// Max pooling with a square window.
    public convenience init(_ poolSize: Int, strides: Int? = nil, padding: Padding = .valid) {
        self.init(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding)
    }

    /// The maximum of each window.
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        input.maxPool2d(kernel: window.size, stride: window.strides, padding: window.paddingAmount,
                        paddingEnd: window.paddingEndAmount)
    }
}

/// Average pooling over windows of `(N, C, H, W)` batches (Keras's `AveragePooling2D`); with "same"
/// padding the zeros count in each window's mean, as in PyTorch's default (Keras leaves them out, so
/// `sameKeras` matches Keras exactly only where a window needs no padding).
public final class AveragePool2D: WindowPoolingLayer {
    /// The layer's name in its model.
    public var name = ""
    /// `AveragePool2D`.
    public var typeName: String { "AveragePool2D" }
    /// The window geometry.
    public var window: PoolingWindow

    /// Average pooling with a `poolSize` window moving by `strides` (default: the window size).
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid) {
        window = PoolingWindow(size: poolSize, strides: strides, padding: padding)
    }

    /// Average pooling with a square window.
    public convenience init(_ poolSize: Int, strides: Int? = nil, padding: Padding = .valid) {
        self.init(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding)
    }

    /// The mean of each window.
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        input.avgPool2d(kernel: window.size, stride: window.strides, padding: window.paddingAmount,
                        paddingEnd: window.paddingEndAmount)
    }
}

/// The mean over height and width of each channel: `(N, C, H, W)` → `(N, C)`.
public final class GlobalAveragePool2D: Layer {
    /// The layer's name in its model.
    public var name = ""
    /// `GlobalAveragePool2D`.
    public var typeName: String { "GlobalAveragePool2D" }
    /// A global average pooling layer.
    public init() {}

    /// `(C, H, W)` → `(C)`.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw LayerError.incompatibleShape(self, got: inputShape, expected: "(None, channels, height, width)")
        }
        return [inputShape[0]]
    }

    /// The per-channel mean.
    public func forward(_ input: Tensor, training: Bool) -> Tensor { input.globalAvgPool2d() }
}
