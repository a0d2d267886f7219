import StrataNN

/// How a model wants each image: as `(C, H, W)`, as rows `(H, W)` (for `Dense` on rows), or flat `(C·H·W)`.
public enum InputLayout: String, Sendable {
    /// `(C, H, W)`, for convolutions.
    case image
    /// `(H, W)`: one row per image line (single-channel images only).
    case rows
    /// `(C·H·W)`, for plain MLPs.
    case flat

    /// The per-example input shape for images of `(channels, height, width)`.
    public func shape(channels: Int, height: Int, width: Int) -> [Int] {
        switch self {
        case .image: return [channels, height, width]
        case .rows: return [height, width * channels]
        case .flat: return [channels * height * width]
        }
    }
}

/// The options that shape a catalog model.
public struct ModelOptions: Sendable, Codable, Equatable {
    /// The number of classes.
    public var classes = 10
    /// The dropout rate, in [0, 1), of the models that have dropout (`ModelCatalog.modelsWithDropout`);
    /// nil for the model's default (0.5 for `vgg` and `vgg-allconv`, 0.2 for the others).
    public var dropout: Float?
    /// The depth of `resnet` (6n + 2: 20, 32, 44, 56, …; default 20) and `wide-resnet`
    /// (6n + 4: 10, 16, 22, 28, …; default 16); nil for the model's default.
    public var resnetDepth: Int?
    /// The width multiplier of `wide-resnet` (nil: 4).
    public var width: Int?
    /// The epsilon of every batch normalization (nil: Keras's 1e-3); PyTorch weights use PyTorch's 1e-5.
    public var batchNormEpsilon: Float?
    /// The momentum of every batch normalization in Strata's (Keras's) convention, the weight of the old
    /// moving statistics (nil: 0.99); PyTorch's `momentum=0.1` is 0.9 here.
    public var batchNormMomentum: Float?
    /// The "same" padding of the convolutions and pools (nil: `.same`, extra row at the top and left;
    /// `.sameKeras` for weights trained in Keras, extra row at the bottom and right).
    public var samePadding: Padding?
    /// Options with the defaults.
    public init() {}
}

/// The models `strata train --model` knows, by name.
public enum ModelCatalog {
    /// Every model name, in the order `--help` lists them.
    public static let names = ["mlp-small", "mlp", "dense128", "cnn", "vgg", "vgg-allconv", "resnet", "wide-resnet", "inception"]

    /// The models with dropout layers, whose rate `ModelOptions.dropout` sets.
    public static let modelsWithDropout = ["mlp", "cnn", "vgg", "vgg-allconv", "wide-resnet", "inception"]
    /// The models with batch normalization (which `--sync-batch-norm` applies to).
    public static let modelsWithBatchNormalization = ["vgg", "vgg-allconv", "resnet", "wide-resnet", "inception"]
    /// The models with "same" padding, which `ModelOptions.samePadding` sets.
    public static let modelsWithSamePadding = ["vgg", "vgg-allconv", "resnet", "wide-resnet", "inception"]
    /// The models whose depth `ModelOptions.resnetDepth` sets.
    public static let modelsWithDepth = ["resnet", "wide-resnet"]
    /// The largest depth `ModelOptions.resnetDepth` may ask for.
    public static let maximumDepth = 1202
    /// The largest width multiplier `ModelOptions.width` may ask for.
    public static let maximumWidth = 32

    /// The dropout rate `name` is built with: `options.dropout`, else the model's default.
    public static func dropoutRate(of name: String, options: ModelOptions) -> Float {
        options.dropout ?? (name.hasPrefix("vgg") ? 0.5 : 0.2)
    }

    /// Checks `options` for model `name`: each value in range, and no option given that the model does
    /// not have (a dropout rate for a model without dropout, a depth or width for a model without one).
    /// Throws naming the command-line option (`--dropout`, `--resnet-depth`, `--width`).
    public static func validate(_ name: String, options: ModelOptions) throws {
        guard names.contains(name) else { throw unknown(name) }
        if options.dropout != nil, !modelsWithDropout.contains(name) {
            throw ModelCatalogError("--dropout does not apply to model \(name), which has no dropout layer; "
                + "models with dropout: \(modelsWithDropout.joined(separator: ", "))")
        }
        if options.resnetDepth != nil, !modelsWithDepth.contains(name) {
            throw ModelCatalogError("--resnet-depth does not apply to model \(name); only to resnet and wide-resnet")
        }
        if options.width != nil, name != "wide-resnet" {
            throw ModelCatalogError("--width does not apply to model \(name); only to wide-resnet")
        }
        if options.batchNormEpsilon != nil || options.batchNormMomentum != nil,
           !modelsWithBatchNormalization.contains(name) {
            throw ModelCatalogError("batchNormEpsilon and batchNormMomentum do not apply to model \(name), "
                + "which has no batch normalization")
        }
        if options.samePadding != nil, !modelsWithSamePadding.contains(name) {
            throw ModelCatalogError("samePadding does not apply to model \(name), which has no \"same\" padding")
        }
        try checkRanges(name, options: options)
    }

    /// Throws when a value of `options` is out of range for `name` (applicability aside).
    static func checkRanges(_ name: String, options: ModelOptions) throws {
        let rate = dropoutRate(of: name, options: options)
        guard rate >= 0 && rate < 1 else { throw ModelCatalogError("--dropout must be in [0, 1), got \(rate)") }
        guard options.classes >= 1 else { throw ModelCatalogError("\(name): classes must be at least 1, got \(options.classes)") }
        if let epsilon = options.batchNormEpsilon, !(epsilon > 0 && epsilon < 1) {
            throw ModelCatalogError("\(name): batchNormEpsilon must be in (0, 1), got \(epsilon)")
        }
        if let momentum = options.batchNormMomentum, !(momentum >= 0 && momentum <= 1) {
            throw ModelCatalogError("\(name): batchNormMomentum must be in [0, 1], got \(momentum)")
        }
        if options.samePadding == .valid {
            throw ModelCatalogError("\(name): samePadding must be same or sameKeras, got valid")
        }
        if let depth = options.resnetDepth, depth > maximumDepth {
            throw ModelCatalogError("--resnet-depth must be at most \(maximumDepth), got \(depth)")
        }
        switch name {
        case "resnet":
            let depth = options.resnetDepth ?? 20
            guard depth >= 8, (depth - 2) % 6 == 0 else {
                throw ModelCatalogError("--resnet-depth must be 6n + 2 for resnet (20, 32, 44, 56, …), got \(depth)")
            }
        case "wide-resnet":
            let depth = options.resnetDepth ?? 16, width = options.width ?? 4
            guard depth >= 10, (depth - 4) % 6 == 0 else {
                throw ModelCatalogError("--resnet-depth must be 6n + 4 for wide-resnet (10, 16, 22, 28, …), got \(depth)")
            }
            guard width >= 1 && width <= maximumWidth else {
                throw ModelCatalogError("--width must be in 1…\(maximumWidth), got \(width)")
            }
        default:
            break
        }
    }

    /// The input layout the model expects.
    public static func layout(of name: String) throws -> InputLayout {
        switch name {
        case "mlp-small": return .rows
        case "mlp", "dense128": return .flat
        case let other where names.contains(other): return .image
        default: throw unknown(name)
        }
    }

    /// A new, unbuilt network for `name`.
    /// Throws `ModelCatalogError` for an unknown name or a value out of range.
    public static func make(_ name: String, options: ModelOptions = ModelOptions()) throws -> Sequential {
        guard names.contains(name) else { throw unknown(name) }
        try checkRanges(name, options: options)
        let classes = options.classes
        let dropout = dropoutRate(of: name, options: options)
        let style = LayerStyle(options)
        switch name {
        case "mlp-small":
            // Dense on each image row, as in the original Keras experiment: 9,474 parameters for 28×28.
            return Sequential { Dense(28, activation: .relu); Dense(28, activation: .relu); Flatten(); Dense(classes) }
        case "mlp":
            return Sequential {
                Dense(512, activation: .relu)
                if dropout > 0 { Dropout(dropout) }
                Dense(512, activation: .relu)
                if dropout > 0 { Dropout(dropout) }
                Dense(classes)
            }
        case "dense128":
            return Sequential { Dense(128, activation: .relu); Dense(classes) }
        case "cnn":
            return Sequential {
                Conv2D(32, kernelSize: 3, activation: .relu); MaxPool2D(2)
                Conv2D(64, kernelSize: 3, activation: .relu); MaxPool2D(2)
                Flatten()
                if dropout > 0 { Dropout(dropout) }
                Dense(classes)
            }
        case "vgg", "vgg-allconv":
            let allConvolutional = name == "vgg-allconv"
            func downsample(_ filters: Int) -> [any Layer] {
                allConvolutional ? style.convBlock(filters, strides: 2) : [MaxPool2D(2, padding: style.same)]
            }
            return Sequential {
                style.convBlock(32); style.convBlock(32); downsample(32)
                style.convBlock(64); style.convBlock(64); downsample(64)
                style.convBlock(128); downsample(128)
                Flatten()
                Dense(256, activation: .relu)
                Dropout(dropout)
                Dense(classes)
            }
        case "resnet":
            let depth = options.resnetDepth ?? 20
            return residualNetwork(blocksPerStage: (depth - 2) / 6, widths: [16, 32, 64], classes: classes,
                                   dropout: 0, style: style)
        case "wide-resnet":
            let depth = options.resnetDepth ?? 16
            let k = options.width ?? 4
            return residualNetwork(blocksPerStage: (depth - 4) / 6, widths: [16 * k, 32 * k, 64 * k],
                                   classes: classes, dropout: dropout, style: style)
        case "inception":
            return Sequential {
                style.convBlock(32)
                style.inceptionModule(c1: 16, c3Reduce: 16, c3: 24, c5Reduce: 8, c5: 8, pool: 8)   // 56 channels
                style.inceptionModule(c1: 24, c3Reduce: 24, c3: 32, c5Reduce: 8, c5: 16, pool: 16) // 88 channels
                MaxPool2D(2)
                style.inceptionModule(c1: 32, c3Reduce: 32, c3: 48, c5Reduce: 12, c5: 24, pool: 24) // 128 channels
                style.inceptionModule(c1: 48, c3Reduce: 32, c3: 64, c5Reduce: 12, c5: 32, pool: 32) // 176 channels
                MaxPool2D(2)
                style.inceptionModule(c1: 64, c3Reduce: 48, c3: 96, c5Reduce: 16, c5: 32, pool: 32) // 224 channels
                GlobalAveragePool2D()
                Dropout(dropout)
                Dense(classes)
            }
        default:
            throw unknown(name)
        }
    }

    /// A ResNet of three stages (He et al., 2016, the CIFAR variant): a 3×3 stem, `blocksPerStage`
    /// basic blocks per stage, stride 2 with a 1×1 projection at each new stage, global pooling.
    static func residualNetwork(blocksPerStage: Int, widths: [Int], classes: Int, dropout: Float,
                                style: LayerStyle) -> Sequential {
        Sequential {
            style.convBlock(widths[0])
            for (stage, width) in widths.enumerated() {
                for block in 0..<blocksPerStage {
                    let strides = stage > 0 && block == 0 ? 2 : 1
                    let projects = block == 0 && stage > 0
                    Residual(shortcut: projects ? Sequential {
                        Conv2D(width, kernelSize: 1, strides: strides, useBias: false, kernelInitializer: .heNormal)
                        style.batchNormalization()
                    } : nil) {
                        style.convBlock(width, strides: strides)
                        if dropout > 0 { Dropout(dropout) }
                        Conv2D(width, kernelSize: 3, padding: style.same, useBias: false, kernelInitializer: .heNormal)
                        style.batchNormalization()
                    }
                    ReLU()
                }
            }
            GlobalAveragePool2D()
            Dense(classes)
        }
    }

    private static func unknown(_ name: String) -> ModelCatalogError {
        ModelCatalogError("unknown model '\(name)'; choose one of: \(names.joined(separator: ", "))")
    }
}

/// The options every catalog layer of one kind shares: the "same" padding and the batch normalization's
/// epsilon and momentum (from `ModelOptions`; Strata's defaults when unset).
struct LayerStyle {
    /// The padding of the "same" convolutions and pools.
    let same: Padding
    /// The batch normalization's epsilon.
    let epsilon: Float
    /// The batch normalization's momentum (weight of the old moving statistics).
    let momentum: Float

    /// The style `options` ask for.
    init(_ options: ModelOptions) {
        same = options.samePadding ?? .same
        epsilon = options.batchNormEpsilon ?? 1e-3
        momentum = options.batchNormMomentum ?? 0.99
    }

    /// A batch normalization with this style's epsilon and momentum.
    func batchNormalization() -> BatchNormalization { BatchNormalization(momentum: momentum, epsilon: epsilon) }

    /// Conv "same" (no bias), batch norm, ReLU.
    func convBlock(_ filters: Int, kernelSize: Int = 3, strides: Int = 1) -> [any Layer] {
        [Conv2D(filters, kernelSize: kernelSize, strides: strides, padding: same, useBias: false,
                kernelInitializer: .heNormal),
         batchNormalization(), ReLU()]
    }

    /// An Inception module: 1×1, 1×1→3×3, 1×1→3×3→3×3 (the factorized 5×5) and pool→1×1 branches,
    /// joined along channels.
    func inceptionModule(c1: Int, c3Reduce: Int, c3: Int, c5Reduce: Int, c5: Int, pool: Int) -> any Layer {
        Concatenate {
            Sequential { convBlock(c1, kernelSize: 1) }
            Sequential { convBlock(c3Reduce, kernelSize: 1); convBlock(c3) }
            Sequential { convBlock(c5Reduce, kernelSize: 1); convBlock(c5); convBlock(c5) }
            Sequential { MaxPool2D(poolSize: (3, 3), strides: (1, 1), padding: same); convBlock(pool, kernelSize: 1) }
        }
    }
}

/// An unknown model name or an impossible option for a catalog model.
public struct ModelCatalogError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
