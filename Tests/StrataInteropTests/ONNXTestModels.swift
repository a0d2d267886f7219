import Foundation
import StrataCore
import StrataData
import StrataExperiments
import StrataNN
import StrataTrain

/// The models the ONNX tests export: every catalog model (small depths and widths), the retrieval
/// embedding network, and a model of the layers the catalog does not use, each with seeded random
/// weights and random batch-norm statistics and biases (so no batch norm is the identity).
enum ONNXTestModels {
    /// The seed of every model's weights.
    static let seed: UInt64 = 7

    /// Every catalog name with the smallest options the catalog allows for its depth and width.
    static var catalog: [(name: String, options: ModelOptions)] {
        ModelCatalog.names.map { name in
            var options = ModelOptions()
            if name == "resnet" { options.resnetDepth = 8 }
            if name == "wide-resnet" { options.resnetDepth = 10; options.width = 1 }
            return (name, options)
        }
    }

    /// Catalog model `name` built for 28×28 single-channel images, with randomized statistics.
    static func catalogModel(_ name: String, options: ModelOptions) throws -> Model {
        let layout = try ModelCatalog.layout(of: name)
        let model = try Model(try ModelCatalog.make(name, options: options),
                              inputShape: layout.shape(channels: 1, height: 28, width: 28), seed: seed)
        randomizeStatistics(of: model)
        return model
    }

    /// The retrieval embedding network (cnn, 32 dimensions, unit-normalized) for 28×28 images.
    static func embeddingModel() throws -> Model {
        var options = RetrievalOptions()
        options.model = "cnn"
        options.dimension = 32
        guard let model = try EmbeddingNetwork.make(options, imageShape: [1, 28, 28], seed: seed) else {
            throw ExperimentError("EmbeddingNetwork.make gave no network for cnn")
        }
        randomizeStatistics(of: model)
        return model
    }

    /// A model of the layers and activations the catalog does not use: strided "same" convolution with
    /// odd total padding, GELU, ELU, leaky ReLU, sigmoid, tanh, softmax, average pooling with padding,
    /// Reshape, dense layers on rows, a softmax layer and unit normalization; input `(1, 12, 12)`.
    static func otherLayersModel() throws -> Model {
        let model = try Model(inputShape: [1, 12, 12], seed: seed) {
            Conv2D(4, kernelSize: 3, strides: 2, padding: .same, activation: .gelu)   // 12 → 6, pads 1 each side
            LeakyReLU(negativeSlope: 0.1)
            AveragePool2D(3, strides: 2, padding: .same)                              // 6 → 3, zeros counted
            Conv2D(6, kernelSize: 2, activation: .elu(alpha: 0.5))                     // 3 → 2
            BatchNormalization()
            ELU(alpha: 1.5)
            Reshape([6, 4])
            Dense(5, activation: .leakyRelu(negativeSlope: 0.2))                      // MatMul + Add on rows
            GELU()
            Flatten()
            Dense(16, activation: .sigmoid)
            Dense(12, activation: .tanh)
            Sigmoid()
            Tanh()
            Dense(8, activation: .softmax)
            Dense(6, useBias: false)
            Softmax()
            Dense(4)
            UnitNormalization()
        }
        randomizeStatistics(of: model)
        return model
    }

    /// Keras-style "same" padding with odd totals, whose extra row and column go at the bottom and right
    /// (ONNX pads [0, 0, 1, 1]); input `(2, 12, 12)`.
    static func kerasPaddingModel() throws -> Model {
        try Model(inputShape: [2, 12, 12], seed: seed) {
            Conv2D(4, kernelSize: 3, strides: 2, padding: .sameKeras, activation: .relu)   // 12 → 6, pads 0 top, 1 bottom
            MaxPool2D(poolSize: (3, 3), strides: (2, 2), padding: .sameKeras)             // 6 → 3, pads 0 top, 1 bottom
            Flatten()
            Dense(5)
        }
    }

    /// Gives every bias, beta and moving mean values in ±0.2, every gamma 0.8…1.2 and every moving
    /// variance 0.5…1.5, from a fixed seed.
    static func randomizeStatistics(of model: Model) {
        var generator = RandomGenerator(seed: seed + 1)
        for parameter in model.parameters + model.buffers {
            let (low, high): (Float, Float)
            switch parameter.name.split(separator: ".").last ?? "" {
            case "bias", "beta", "moving_mean": (low, high) = (-0.2, 0.2)
            case "gamma": (low, high) = (0.8, 1.2)
            case "moving_variance": (low, high) = (0.5, 1.5)
            default: continue
            }
            let pointer = parameter.tensor.pointer
            for index in 0..<parameter.tensor.count { pointer[index] = low + (high - low) * generator.nextUniform() }
        }
    }

    /// `count` images of `(channels·height·width)` values on [0, 1]: MNIST's first test images when
    /// STRATA_DATA holds MNIST and the shape is 1×28×28, else seeded uniform values. Also says which.
    static func inputs(count: Int, pixels: Int) -> (values: [Float], source: String) {
        if pixels == 784, let root = ProcessInfo.processInfo.environment["STRATA_DATA"], !root.isEmpty,
           let test = try? Dataset.builtin(.mnist, part: .test,
                                            locator: DatasetLocator(environment: ["STRATA_DATA": root, "HOME": "/nonexistent"])) {
            let values = (0..<count).flatMap { test.image(at: $0).map { Float($0) / 255 } }
            return (values, "MNIST test images")
        }
        var generator = RandomGenerator(seed: seed + 2)
        return ((0..<(count * pixels)).map { _ in generator.nextUniform() }, "seeded random inputs")
    }
}
