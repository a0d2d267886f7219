import Foundation

/// Creating tensors: constants, ranges, seeded random values and the usual weight initializers.
extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 0, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 1, requiresGrad: requiresGrad)
    }

    /// A tensor with every element set to `value`.
    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "full: negative size in shape \(shape)")
        return Tensor(shape: shape, storage: TensorStorage(count: elementCount(shape), repeating: value),
                      requiresGrad: requiresGrad)
    }

    /// A tensor of zeros with this tensor's shape.
    public func zerosLike() -> Tensor { Tensor.zeros(shape) }

    /// The values `start, start + step, …` below `end` (1-D).
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be 0")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [count], scalars: (0..<count).map { start + Float($0) * step })
    }

    /// Values drawn from a normal distribution with the given mean and standard deviation.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                    generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        for i in 0..<result.count { result.pointer[i] = mean + standardDeviation * generator.nextNormal() }
        result.requiresGrad = requiresGrad
        return result
    }

    /// Values drawn from a normal distribution, from a generator seeded with `seed`.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                    seed: UInt64, requiresGrad: Bool = false) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return randomNormal(shape, mean: mean, standardDeviation: standardDeviation, generator: &generator,
                            requiresGrad: requiresGrad)
    }

    /// Values drawn uniformly from `[lower, upper)`.
    public static func randomUniform(_ shape: [Int], lower: Float = 0, upper: Float = 1,
                                     generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let width = upper - lower
        for i in 0..<result.count { result.pointer[i] = lower + width * generator.nextUniform() }
        result.requiresGrad = requiresGrad
        return result
    }

    /// Values drawn uniformly from `[lower, upper)`, from a generator seeded with `seed`.
    public static func randomUniform(_ shape: [Int], lower: Float = 0, upper: Float = 1,
                                     seed: UInt64, requiresGrad: Bool = false) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return randomUniform(shape, lower: lower, upper: upper, generator: &generator, requiresGrad: requiresGrad)
    }

    /// Values from a normal distribution cut at two standard deviations (redrawn outside).
    public static func truncatedNormal(_ shape: [Int], standardDeviation: Float,
                                       generator: inout RandomGenerator) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        for i in 0..<result.count {
            var value = generator.nextNormal()
            while Swift.abs(value) > 2 { value = generator.nextNormal() }
            result.pointer[i] = value * standardDeviation
        }
        return result
    }

    /// The fan-in and fan-out of a weight: `(in, out)` for a dense kernel, `(O, I, KH, KW)` for a
    /// convolution kernel (fan-in I·KH·KW, fan-out O·KH·KW).
    public static func fans(ofWeightShape shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let receptive = shape[2...].reduce(1, *)
            return (shape[1] * receptive, shape[0] * receptive)
        }
    }

    /// Glorot (Xavier) uniform initialization, Keras's default for kernels: U(±√(6 / (fanIn + fanOut))).
    public static func glorotUniform(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(ofWeightShape: shape)
        let limit = Foundation.sqrt(6 / Float(fanIn + fanOut))
        return randomUniform(shape, lower: -limit, upper: limit, generator: &generator)
    }

    /// Glorot (Xavier) normal initialization: truncated normal with σ = √(2 / (fanIn + fanOut)) (Keras).
    public static func glorotNormal(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(ofWeightShape: shape)
        return truncatedNormal(shape, standardDeviation: Foundation.sqrt(2 / Float(fanIn + fanOut)) / 0.879_625_66,
                               generator: &generator)
    }

    /// He (Kaiming) normal initialization for ReLU nets: truncated normal with σ = √(2 / fanIn) (Keras).
    public static func heNormal(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let (fanIn, _) = fans(ofWeightShape: shape)
        return truncatedNormal(shape, standardDeviation: Foundation.sqrt(2 / Float(fanIn)) / 0.879_625_66,
                               generator: &generator)
    }

    /// He (Kaiming) uniform initialization: U(±√(6 / fanIn)).
    public static func heUniform(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let (fanIn, _) = fans(ofWeightShape: shape)
        let limit = Foundation.sqrt(6 / Float(fanIn))
        return randomUniform(shape, lower: -limit, upper: limit, generator: &generator)
    }
}

extension Tensor {
    /// One-hot rows `(N, classes)` for integer labels: row i has a 1 at column `labels[i]`.
    public static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        let result = Tensor.zeros([labels.count, classes])
        for (i, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "oneHot: label \(label) out of range 0..<\(classes)")
            result.pointer[i * classes + label] = 1
        }
        return result
    }
}
