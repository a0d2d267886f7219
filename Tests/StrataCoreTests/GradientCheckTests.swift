import StrataCore
import StrataTestSupport
import XCTest

/// A finite-difference gradient check for every differentiable op in StrataCore's elementwise,
/// shape, reduction, matrix and loss families (convolution, pooling and batch norm have their own).
final class GradientCheckTests: XCTestCase {
    /// A leaf tensor whose values keep away from 0 (the kink of relu, abs, clamp…), seeded.
    func input(_ shape: [Int], seed: UInt64, positive: Bool = false) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        let values = (0..<shape.reduce(1, *)).map { _ -> Float in
            let magnitude = 0.2 + 0.8 * generator.nextUniform()
            return positive || generator.nextUniform() < 0.5 ? magnitude : -magnitude
        }
        return Tensor(shape: shape, scalars: values, requiresGrad: true)
    }

    /// A leaf tensor of distinct values at least 0.05 apart (no ties for max, min and their kinks).
    func distinctInput(_ shape: [Int], seed: UInt64, shift: Float = 0) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        var values = (0..<shape.reduce(1, *)).map { Float($0) * 0.1 - 1 + shift }
        values.shuffle(using: &generator)
        return Tensor(shape: shape, scalars: values, requiresGrad: true)
    }

    func testElementwiseUnary() {
        let cases: [(String, Bool, (Tensor) -> Tensor)] = [
            ("negate", false, { -$0 }),
            ("exp", false, { $0.exp() }),
            ("log", true, { $0.log() }),
            ("sqrt", true, { $0.sqrt() }),
            ("squared", false, { $0.squared() }),
            ("pow 3", false, { $0.pow(3) }),
            ("pow 0.5", true, { $0.pow(0.5) }),
            ("abs", false, { $0.abs() }),
            ("tanh", false, { $0.tanh() }),
            ("sigmoid", false, { $0.sigmoid() }),
            ("relu", false, { $0.relu() }),
            ("leakyRelu", false, { $0.leakyRelu(negativeSlope: 0.1) }),
            ("elu", false, { $0.elu(alpha: 1.5) }),
            ("gelu", false, { $0.gelu() }),
            ("clamped", false, { $0.clamped(min: -0.5, max: 0.6) }),
            ("scalar add", false, { $0 + 3 }),
            ("scalar subtract", false, { 2 - $0 }),
            ("scalar multiply", false, { $0 * 1.5 }),
            ("scalar divide", true, { 1 / $0 }),
        ]
        for (index, (name, positive, function)) in cases.enumerated() {
            let x = input([3, 4], seed: UInt64(index), positive: positive)
            checkGradients(name, inputs: [x]) { function($0[0]) }
        }
    }

    func testBroadcastingBinary() {
        let shapes: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1, 3], [4, 1]), ([2, 3], [])]
        let cases: [(String, (Tensor, Tensor) -> Tensor)] = [
            ("add", { $0 + $1 }), ("subtract", { $0 - $1 }), ("multiply", { $0 * $1 }),
            ("divide", { $0 / $1 }), ("maximum", { Tensor.maximum($0, $1) }), ("minimum", { Tensor.minimum($0, $1) }),
        ]
        for (s, (shapeA, shapeB)) in shapes.enumerated() {
            for (c, (name, function)) in cases.enumerated() {
                // Values on two interleaved grids, so a and b never come within 0.05 of each other.
                let a = distinctInput(shapeA, seed: UInt64(10 * s + c)), b = distinctInput(shapeB, seed: UInt64(100 + 10 * s + c), shift: 0.05)
                checkGradients("\(name) \(shapeA) \(shapeB)", inputs: [a, b]) { function($0[0], $0[1]) }
            }
        }
    }

    func testWhere() {
        let condition = Tensor(shape: [2, 3], scalars: [1, 0, 1, 0, 0, 1])
        let a = input([2, 3], seed: 1), b = input([3], seed: 2)
        checkGradients("where", inputs: [a, b]) { Tensor.where(condition, $0[0], $0[1]) }
    }

    func testReductions() {
        let cases: [(String, (Tensor) -> Tensor)] = [
            ("sum all", { $0.sum() }),
            ("sum axis 1", { $0.sum(axis: 1) }),
            ("sum axes 0,2 keep", { $0.sum(alongAxes: [0, 2], keepingDimensions: true) }),
            ("mean all", { $0.mean() }),
            ("mean axis -1", { $0.mean(axis: -1) }),
            ("variance axis 1", { $0.variance(alongAxes: [1]) }),
            ("variance unbiased", { $0.variance(alongAxes: [0, 2], unbiased: true) }),
            ("max axis 2", { $0.max(alongAxes: [2]) }),
            ("min axes 0,1", { $0.min(alongAxes: [0, 1], keepingDimensions: true) }),
            ("max all", { $0.max() }),
        ]
        for (index, (name, function)) in cases.enumerated() {
            let x = distinctInput([2, 3, 4], seed: UInt64(200 + index))
            checkGradients(name, inputs: [x]) { function($0[0]) }
        }
    }

    func testShapeOps() {
        let cases: [(String, (Tensor) -> Tensor)] = [
            ("reshape", { $0.reshaped([4, -1]) }),
            ("flatten", { $0.flattened() }),
            ("permute", { $0.permuted([2, 0, 1]) * Tensor.arange(0, 3) }),
            ("transpose", { $0.transposed().contiguous() }),
            ("expand", { $0.slice(axis: 0, 0..<1).expanded(to: [3, 3, 4]) }),
            ("slice", { $0.slice(axis: 2, 1..<3) }),
            ("gather", { $0.gather([1, 0, 1], axis: 1) }),
            ("gather tensor", { $0.gather(Tensor([2, 2, 0]), axis: 2) }),
            ("unsqueeze", { $0.expandingShape(at: 1).squeezingShape(at: 1) }),
        ]
        for (index, (name, function)) in cases.enumerated() {
            let x = input([2, 3, 4], seed: UInt64(300 + index))
            checkGradients(name, inputs: [x]) { function($0[0]) }
        }
    }

    func testConcatenateAndStack() {
        let a = input([2, 3], seed: 1), b = input([2, 2], seed: 2), c = input([2, 3], seed: 3)
        checkGradients("concatenate axis 1", inputs: [a, b]) { Tensor.concatenate([$0[0], $0[1]], axis: 1) }
        checkGradients("stack axis 0", inputs: [a, c]) { Tensor.stack([$0[0], $0[1]], axis: 0) }
        checkGradients("stack axis 2", inputs: [a, c]) { Tensor.stack([$0[0], $0[1]], axis: 2) }
    }

    func testMatrixProducts() {
        let a = input([3, 4], seed: 1), b = input([4, 5], seed: 2)
        checkGradients("matmul 2-D", inputs: [a, b]) { $0[0].matmul($0[1]) }
        let at = input([4, 3], seed: 3), bt = input([5, 4], seed: 4)
        checkGradients("matmul transposed operands", inputs: [at, bt]) { $0[0].transposed().matmul($0[1].transposed()) }
        let batchA = input([2, 3, 4], seed: 5), batchB = input([2, 4, 2], seed: 6)
        checkGradients("matmul batched", inputs: [batchA, batchB]) { $0[0].matmul($0[1]) }
        checkGradients("matmul batched by 2-D", inputs: [batchA, b]) { $0[0].matmul($0[1]) }
        checkGradients("matmul 2-D by batched", inputs: [a, batchB]) { $0[0].matmul($0[1]) }
        let batchBt = input([2, 2, 4], seed: 7)
        checkGradients("matmul batched transposed", inputs: [batchA, batchBt]) { $0[0].matmul($0[1].transposed()) }
        let weight = input([4, 5], seed: 8), bias = input([5], seed: 9)
        checkGradients("linear", inputs: [batchA, weight, bias]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        checkGradients("linear without bias", inputs: [a, weight]) { $0[0].linear(weight: $0[1], bias: nil) }
        checkGradients("linear+relu", inputs: [batchA, weight, bias]) { $0[0].linear(weight: $0[1], bias: $0[2], relu: true) }
    }

    func testSoftmaxFamily() {
        let x = input([3, 5], seed: 11)
        checkGradients("softmax", inputs: [x]) { $0[0].softmax() }
        checkGradients("softmax axis 0", inputs: [x]) { $0[0].softmax(axis: 0) }
        checkGradients("logSoftmax", inputs: [x]) { $0[0].logSoftmax() }
        checkGradients("logSoftmax axis 0", inputs: [x]) { $0[0].logSoftmax(axis: 0) }
    }

    func testLosses() {
        let logits = input([4, 5], seed: 12)
        checkGradients("softmaxCrossEntropy labels", inputs: [logits]) {
            Tensor.softmaxCrossEntropy(logits: $0[0], labels: [0, 4, 2, 2])
        }
        let targets = Tensor(shape: [4, 5], scalars: (0..<20).map { Float(($0 * 7) % 5) / 10 }, requiresGrad: true)
        checkGradients("softmaxCrossEntropy probabilities", inputs: [logits, targets]) {
            Tensor.softmaxCrossEntropy(logits: $0[0], probabilities: $0[1])
        }
        let binaryTargets = Tensor(shape: [4, 5], scalars: (0..<20).map { Float($0 % 3) / 2 }, requiresGrad: true)
        checkGradients("binaryCrossEntropy", inputs: [logits, binaryTargets]) {
            Tensor.binaryCrossEntropy(logits: $0[0], targets: $0[1])
        }
        let predictions = input([4, 5], seed: 13), truth = input([4, 5], seed: 14)
        checkGradients("meanSquaredError", inputs: [predictions, truth]) {
            Tensor.meanSquaredError(predictions: $0[0], targets: $0[1])
        }
    }

    func testDropoutWithFixedMask() {
        let x = input([4, 6], seed: 15)
        checkGradients("dropout", inputs: [x]) { inputs in
            var generator = RandomGenerator(seed: 99)
            return inputs[0].dropout(rate: 0.3, generator: &generator)
        }
    }
}
