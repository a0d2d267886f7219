@testable import StrataCore
import StrataTestSupport
import XCTest

/// A tensor of normal values (mean `mean`, standard deviation `scale`) from a generator seeded with `seed`.
private func randomTensor(_ shape: [Int], seed: UInt64, mean: Float = 0, scale: Float = 1,
                          requiresGrad: Bool = false) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let values = (0..<Tensor.elementCount(shape)).map { _ in mean + scale * generator.nextNormal() }
    return Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
}

final class BatchNormTests: XCTestCase {
    private let shapes: [[Int]] = [[2, 3, 5, 5], [1, 4, 3, 2], [8, 2, 1, 1], [5, 6], [16, 3, 7, 7]]

    /// gamma, beta and running statistics for `channels` channels (running variance kept positive).
    private func parameters(_ channels: Int, seed: UInt64)
        -> (gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor) {
        (randomTensor([channels], seed: seed, mean: 1, scale: 0.3, requiresGrad: true),
         randomTensor([channels], seed: seed + 1, scale: 0.5, requiresGrad: true),
         randomTensor([channels], seed: seed + 2, scale: 0.5),
         Tensor(shape: [channels], scalars: (0..<channels).map { 0.5 + Float($0) * 0.25 }))
    }

    /// Training-mode output, gradients and running-statistics update agree with the reference.
    func testTrainingMatchesReference() throws {
        for algorithm in BatchNormAlgorithm.allCases {
            for (index, shape) in shapes.enumerated() {
                try checkTraining(shape, seed: UInt64(index * 10), algorithm: algorithm)
            }
        }
    }

    private func checkTraining(_ shape: [Int], seed: UInt64, algorithm: BatchNormAlgorithm) throws {
        let input = randomTensor(shape, seed: seed, mean: 2, scale: 3, requiresGrad: true)
        let (gamma, beta, runningMean, runningVar) = parameters(shape[1], seed: seed + 1)
        let oldMean = runningMean.scalars, oldVar = runningVar.scalars
        let (expected, mean, variance) = ReferenceBatchNorm.forwardTraining(input: input, gamma: gamma,
                                                                            beta: beta, epsilon: 1e-5)
        let output = input.batchNorm2d(gamma: gamma, beta: beta, runningMean: runningMean,
                                       runningVar: runningVar, training: true, momentum: 0.2, algorithm: algorithm)
        let label = "shape \(shape) \(algorithm)"
        assertClose(output, expected, rtol: 1e-4, atol: 1e-4, "\(label) forward")

        let m = Float(input.count / shape[1])
        let expectedMean = zip(oldMean, mean).map { 0.8 * $0 + 0.2 * $1 }
        let expectedVar = zip(oldVar, variance).map { 0.8 * $0 + 0.2 * $1 * m / (m - 1) }
        assertClose(runningMean.scalars, expectedMean, rtol: 1e-4, atol: 1e-5, "\(label) running mean")
        assertClose(runningVar.scalars, expectedVar, rtol: 1e-4, atol: 1e-5, "\(label) running variance")

        let gradOutput = randomTensor(shape, seed: seed + 9)
        try output.backward(gradient: gradOutput)
        let grads = ReferenceBatchNorm.backward(input: input, gradOutput: gradOutput, gamma: gamma, mean: mean,
                                                variance: variance, epsilon: 1e-5, throughStatistics: true)
        assertClose(input.grad!, grads.input, rtol: 1e-3, atol: 1e-4, "\(label) input gradient")
        assertClose(gamma.grad!, grads.gamma, rtol: 1e-4, atol: 1e-4, "\(label) gamma gradient")
        assertClose(beta.grad!, grads.beta, rtol: 1e-4, atol: 1e-4, "\(label) beta gradient")
    }

    /// Inference-mode output and gradients use the running statistics and leave them unchanged.
    func testInferenceMatchesReference() throws {
        for algorithm in BatchNormAlgorithm.allCases {
            for (index, shape) in shapes.enumerated() {
                try checkInference(shape, seed: UInt64(100 + index * 10), algorithm: algorithm)
            }
        }
    }

    private func checkInference(_ shape: [Int], seed: UInt64, algorithm: BatchNormAlgorithm) throws {
        let input = randomTensor(shape, seed: seed, requiresGrad: true)
        let (gamma, beta, runningMean, runningVar) = parameters(shape[1], seed: seed + 1)
        let mean = runningMean.scalars, variance = runningVar.scalars
        let output = input.batchNorm2d(gamma: gamma, beta: beta, runningMean: runningMean,
                                       runningVar: runningVar, training: false, epsilon: 1e-3,
                                       algorithm: algorithm)
        let label = "shape \(shape) \(algorithm)"
        assertClose(output, ReferenceBatchNorm.forwardInference(input: input, gamma: gamma, beta: beta, mean: mean,
                                                                variance: variance, epsilon: 1e-3),
                    rtol: 1e-4, atol: 1e-5, "\(label) forward")
        XCTAssertEqual(runningMean.scalars, mean)
        XCTAssertEqual(runningVar.scalars, variance)

        // The backward pass sees the statistics of its forward pass even if they change in between.
        runningVar.pointer[0] += 5
        let gradOutput = randomTensor(shape, seed: seed + 9)
        try output.backward(gradient: gradOutput)
        let grads = ReferenceBatchNorm.backward(input: input, gradOutput: gradOutput, gamma: gamma, mean: mean,
                                                variance: variance, epsilon: 1e-3, throughStatistics: false)
        assertClose(input.grad!, grads.input, rtol: 1e-4, atol: 1e-5, "\(label) input gradient")
        assertClose(gamma.grad!, grads.gamma, rtol: 1e-4, atol: 1e-4, "\(label) gamma gradient")
        assertClose(beta.grad!, grads.beta, rtol: 1e-4, atol: 1e-4, "\(label) beta gradient")
    }

    /// Without the tape, inference reads the running statistics directly and matches the taped result.
    func testInferenceWithoutTape() {
        let input = randomTensor([4, 3, 2, 2], seed: 1)
        let (gamma, beta, runningMean, runningVar) = parameters(3, seed: 2)
        let taped = input.batchNorm2d(gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                                      training: false)
        let untaped = noGrad {
            input.batchNorm2d(gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                              training: false)
        }
        XCTAssertFalse(untaped.requiresGrad)
        assertClose(untaped, taped, rtol: 0, atol: 0)
    }

    /// In training the output of each channel has mean beta and standard deviation |gamma|.
    func testTrainingNormalizes() {
        let input = randomTensor([32, 2, 4, 4], seed: 3, mean: 5, scale: 4)
        let gamma = Tensor([2, 0.5]), beta = Tensor([1, -1])
        let output = input.batchNorm2d(gamma: gamma, beta: beta, runningMean: Tensor([0, 0]),
                                       runningVar: Tensor([1, 1]), training: true, epsilon: 0)
        let (mean, variance) = ReferenceBatchNorm.statistics(output)
        assertClose(mean, [1, -1], rtol: 0, atol: 1e-4)
        assertClose(variance, [4, 0.25], rtol: 1e-4, atol: 1e-4)
    }

    /// Finite differences agree with the recorded gradients in both modes, for 4-D and 2-D inputs.
    func testGradientCheck() {
        for algorithm in BatchNormAlgorithm.allCases where algorithm != .automatic {
            for (shape, training) in [([2, 3, 5, 5], true), ([2, 3, 5, 5], false), ([6, 4], true), ([6, 4], false)] {
                checkBatchNormGradients(shape, training: training, algorithm: algorithm)
            }
        }
    }

    private func checkBatchNormGradients(_ shape: [Int], training: Bool, algorithm: BatchNormAlgorithm) {
        let (gamma, beta, runningMean, runningVar) = parameters(shape[1], seed: 40)
        let input = randomTensor(shape, seed: 41, requiresGrad: true)
        checkGradients("batchNorm2d \(shape) training \(training) \(algorithm)",
                       inputs: [input, gamma, beta], epsilon: 1e-2, rtol: 2e-2, atol: 3e-3) { x in
            x[0].batchNorm2d(gamma: x[1], beta: x[2], runningMean: runningMean, runningVar: runningVar,
                             training: training, algorithm: algorithm)
        }
    }

    /// `relu: true` gives what `.relu()` after the op gives: the same values and the same gradients.
    func testFusedReLUMatchesBatchNormThenReLU() throws {
        for algorithm in BatchNormAlgorithm.allCases {
            for (index, shape) in ([[16, 3, 7, 7], [4, 8, 16, 16], [6, 5]] as [[Int]]).enumerated() {
                for training in [true, false] {
                    let seed = UInt64(200 + index * 10)
                    let label = "shape \(shape) training \(training) \(algorithm)"
                    let gradOutput = randomTensor(shape, seed: seed + 5)
                    func run(fused: Bool) throws -> (output: Tensor, grads: [Tensor]) {
                        let input = randomTensor(shape, seed: seed, mean: 0.2, scale: 2, requiresGrad: true)
                        let (gamma, beta, runningMean, runningVar) = parameters(shape[1], seed: seed + 1)
                        let normalized = input.batchNorm2d(gamma: gamma, beta: beta, runningMean: runningMean,
                                                           runningVar: runningVar, training: training,
                                                           relu: fused, algorithm: algorithm)
                        let output = fused ? normalized : normalized.relu()
                        try output.backward(gradient: gradOutput)
                        return (output, [input.grad!, gamma.grad!, beta.grad!])
                    }
                    let fused = try run(fused: true), separate = try run(fused: false)
                    XCTAssertTrue(fused.output.scalars.contains(0) && fused.output.scalars.contains { $0 > 0 }, label)
                    assertClose(fused.output, separate.output, rtol: 1e-6, atol: 1e-6, "\(label) forward")
                    for (name, pair) in zip(["input", "gamma", "beta"], zip(fused.grads, separate.grads)) {
                        assertClose(pair.0, pair.1, rtol: 1e-5, atol: 1e-5, "\(label) \(name) gradient")
                    }
                }
            }
        }
    }

    /// Finite differences agree with the fused op's gradients (inputs kept away from ReLU's kink).
    func testFusedReLUGradientCheck() {
        for training in [true, false] {
            let (gamma, beta, runningMean, runningVar) = parameters(3, seed: 60)
            let input = randomTensor([2, 3, 4, 4], seed: 61, requiresGrad: true)
            let output = input.batchNorm2d(gamma: gamma, beta: beta, runningMean: runningMean.copy(),
                                           runningVar: runningVar.copy(), training: training)
            XCTAssertGreaterThan(output.scalars.map(abs).min()!, 0.005, "a value too close to the kink for the check")
            checkGradients("batchNorm2d+relu training \(training)", inputs: [input, gamma, beta],
                           epsilon: 1e-3, rtol: 2e-2, atol: 3e-3) { x in
                x[0].batchNorm2d(gamma: x[1], beta: x[2], runningMean: runningMean, runningVar: runningVar,
                                 training: training, momentum: 0, relu: true)
            }
        }
    }

    /// Synchronized batch norm with one process (a sum that leaves the buffer alone) is batch norm in
    /// training: the same output, running statistics and gradients within rounding, ReLU fused or not;
    /// and its gradients pass the finite-difference check.
    func testSyncBatchNormOnOneProcessIsBatchNorm() throws {
        for (shape, relu) in [([4, 3, 5, 5], false), ([6, 4], true)] {
            let channels = shape[1]
            let input = Tensor.randomNormal(shape, seed: 3, requiresGrad: true)
            let gamma = Tensor.randomNormal([channels], seed: 4, requiresGrad: true)
            let beta = Tensor.randomNormal([channels], seed: 5, requiresGrad: true)
            let probe = Tensor.randomNormal(shape, seed: 6)
            func run(_ synced: Bool) throws -> (output: [Float], stats: [Float], grads: [[Float]]) {
                for tensor in [input, gamma, beta] { tensor.zeroGrad() }
                let mean = Tensor.zeros([channels]), variance = Tensor.ones([channels])
                let output = synced
                    ? input.syncBatchNorm2d(gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, relu: relu) { _ in }
                    : input.batchNorm2d(gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, training: true,
                                        relu: relu)
                try (output * probe).sum().backward()
                return (output.scalars, mean.scalars + variance.scalars, [input, gamma, beta].map { $0.grad!.scalars })
            }
            let (plain, synced) = (try run(false), try run(true))
            assertClose(synced.output, plain.output, rtol: 1e-4, atol: 1e-5)
            assertClose(synced.stats, plain.stats, rtol: 1e-4, atol: 1e-6)
            for (a, b) in zip(synced.grads, plain.grads) { assertClose(a, b, rtol: 1e-3, atol: 1e-4) }
            let mean = Tensor.zeros([channels]), variance = Tensor.ones([channels])
            checkGradients("syncBatchNorm2d \(shape) relu \(relu)", inputs: [input, gamma, beta], epsilon: relu ? 1e-3 : 1e-2,
                           rtol: 2e-2, atol: 3e-3) { x in
                x[0].syncBatchNorm2d(gamma: x[1], beta: x[2], runningMean: mean, runningVar: variance, momentum: 0,
                                     relu: relu) { _ in }
            }
        }
    }

    /// Two halves of a batch, normalized each with the statistics of both (the sum of the two halves'
    /// totals, as an allreduce over two processes gives), are the whole batch normalized at once.
    func testSyncBatchNormOverTwoHalvesIsTheWholeBatch() throws {
        let whole = Tensor.randomNormal([8, 3, 2, 2], seed: 9)
        let gamma = Tensor.randomNormal([3], seed: 10), beta = Tensor.randomNormal([3], seed: 11)
        let halves = [whole.slice(axis: 0, 0..<4).contiguous(), whole.slice(axis: 0, 4..<8).contiguous()]
        // The other half's totals, computed the way the op computes its own, added in as the "allreduce".
        func totals(_ x: Tensor) -> [Float] {
            var result = [Float](repeating: 0, count: 7)
            let values = x.scalars
            for n in 0..<4 { for c in 0..<3 { for i in 0..<4 {
                let v = values[(n * 3 + c) * 4 + i]
                result[c] += v
                result[3 + c] += v * v
            } } }
            result[6] = 16
            return result
        }
        var outputs: [Float] = []
        for (index, half) in halves.enumerated() {
            let other = totals(halves[1 - index])
            let output = half.syncBatchNorm2d(gamma: gamma, beta: beta, runningMean: Tensor.zeros([3]),
                                              runningVar: Tensor.ones([3])) { buffer in
                if buffer.count == 7 { for i in 0..<7 { buffer[i] += other[i] } }
            }
            outputs += output.scalars
        }
        let reference = whole.batchNorm2d(gamma: gamma, beta: beta, runningMean: Tensor.zeros([3]),
                                          runningVar: Tensor.ones([3]), training: true)
        assertClose(outputs, reference.scalars, rtol: 1e-4, atol: 1e-5)
    }
}
