import Foundation
import StrataCore

/// Times the ops that sit between the convolutions of the models (pooling and batch normalization,
/// forward + backward) on the activation shapes they see at batch 128.
enum PoolingAndNormBenchmark {
    /// One op on one activation shape (N, C, H, W).
    struct Case {
        let name: String
        let shape: [Int]
        let op: (Tensor, Tensor, Tensor, Tensor, Tensor) -> Tensor
    }

    static let cases: [Case] = [
        Case(name: "maxPool2d 2×2", shape: [128, 32, 28, 28]) { x, _, _, _, _ in x.maxPool2d(kernel: (2, 2)) },
        Case(name: "maxPool2d 2×2", shape: [128, 64, 14, 14]) { x, _, _, _, _ in x.maxPool2d(kernel: (2, 2)) },
        Case(name: "avgPool2d 2×2", shape: [128, 32, 28, 28]) { x, _, _, _, _ in x.avgPool2d(kernel: (2, 2)) },
        Case(name: "globalAvgPool2d", shape: [128, 64, 7, 7]) { x, _, _, _, _ in x.globalAvgPool2d() },
    ] + [[128, 16, 28, 28], [128, 32, 14, 14], [128, 64, 7, 7], [128, 32, 28, 28]].flatMap { shape in
        [("oneDNN", BatchNormAlgorithm.oneDNN), ("native", .native)].map { name, algorithm in
            Case(name: "batchNorm2d train \(name)", shape: shape) { x, gamma, beta, mean, variance in
                x.batchNorm2d(gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, training: true,
                              algorithm: algorithm)
            }
        }
    }

    /// Prints the best forward and backward milliseconds of each case and the bandwidth of its input.
    static func run(iterations: Int) throws {
        print("op".padding(toLength: 40, withPad: " ", startingAt: 0) + "  fwd ms   bwd ms  input MB")
        for c in cases {
            var generator = RandomGenerator(seed: 3)
            let input = randomTensor(c.shape, generator: &generator, requiresGrad: true)
            let channels = c.shape[1]
            let gamma = randomTensor([channels], generator: &generator, requiresGrad: true)
            let beta = randomTensor([channels], generator: &generator, requiresGrad: true)
            let mean = Tensor(shape: [channels], scalars: [Float](repeating: 0, count: channels))
            let variance = Tensor(shape: [channels], scalars: [Float](repeating: 1, count: channels))
            var timings = Timings()
            var gradient: Tensor?
            for iteration in 0..<(iterations + 2) {
                input.zeroGrad(); gamma.zeroGrad(); beta.zeroGrad()
                var output: Tensor?
                let forward = seconds { output = c.op(input, gamma, beta, mean, variance) }
                if gradient == nil { gradient = randomTensor(output!.shape, generator: &generator) }
                let backward = try seconds { try output!.backward(gradient: gradient!) }
                if iteration >= 2 {
                    timings.forward.append(forward)
                    timings.backward.append(backward)
                }
            }
            let label = "\(c.name) \(c.shape.map(String.init).joined(separator: "×"))"
            print(label.padding(toLength: 40, withPad: " ", startingAt: 0)
                  + String(format: "%8.2f %8.2f %9.1f", timings.bestForward * 1e3, timings.bestBackward * 1e3,
                           Double(input.count * 4) / 1e6))
        }
    }
}

extension PoolingAndNormBenchmark {
    /// Times a ResNet-style block, conv → batch norm → conv → batch norm → max pool at
    /// 128×16×28×28, forward + backward: oneDNN (OpenMP threads) and Strata's loops (Dispatch
    /// threads) take turns, so this shows what switching thread pools costs.
    static func runBlock(iterations: Int) throws {
        var generator = RandomGenerator(seed: 5)
        let input = randomTensor([128, 16, 28, 28], generator: &generator, requiresGrad: true)
        let weights = (0..<2).map { _ in randomTensor([16, 16, 3, 3], generator: &generator, requiresGrad: true) }
        let gamma = Tensor(shape: [16], scalars: [Float](repeating: 1, count: 16), requiresGrad: true)
        let beta = Tensor(shape: [16], scalars: [Float](repeating: 0, count: 16), requiresGrad: true)
        let mean = Tensor(shape: [16], scalars: [Float](repeating: 0, count: 16))
        let variance = Tensor(shape: [16], scalars: [Float](repeating: 1, count: 16))
        var timings = Timings()
        var gradient: Tensor?
        for iteration in 0..<(iterations + 2) {
            for parameter in [input, gamma, beta] + weights { parameter.zeroGrad() }
            var output: Tensor?
            let forward = seconds {
                var x = input
                for weight in weights {
                    x = x.conv2d(weight, padding: (1, 1))
                    x = x.batchNorm2d(gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, training: true)
                }
                output = x.maxPool2d(kernel: (2, 2))
            }
            if gradient == nil { gradient = randomTensor(output!.shape, generator: &generator) }
            let backward = try seconds { try output!.backward(gradient: gradient!) }
            if iteration >= 2 {
                timings.forward.append(forward)
                timings.backward.append(backward)
            }
        }
        print(String(format: "block conv-bn-conv-bn-maxpool 128×16×28×28: fwd %.2f ms, bwd %.2f ms "
                     + "(best of %d), median fwd+bwd %.2f ms", timings.bestForward * 1e3, timings.bestBackward * 1e3,
                     iterations, timings.medianTotal * 1e3))
    }
}
