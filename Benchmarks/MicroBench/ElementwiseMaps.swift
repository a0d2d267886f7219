import Foundation
import StrataCore

/// Times the elementwise activations and maps, forward and forward+backward, on one conv-sized
/// activation tensor (128, 32, 28, 28): 3.2 M values, enough for `MapKernel` to split them over threads.
func benchmarkElementwiseMaps(stopwatch: Stopwatch) throws {
    print("")
    print("elementwise map on (128, 32, 28, 28)      forward      GB/s     fwd+bwd")
    var generator = RandomGenerator(seed: 5)
    let x = Tensor.randomNormal([128, 32, 28, 28], generator: &generator)
    x.requiresGrad = true
    let gradient = Tensor.randomNormal(x.shape, generator: &generator)
    let positive = Tensor.randomUniform(x.shape, lower: 0.1, upper: 2, generator: &generator)
    positive.requiresGrad = true
    let maps: [(String, Tensor, (Tensor) -> Tensor)] = [
        ("relu", x, { $0.relu() }),
        ("leakyRelu", x, { $0.leakyRelu(negativeSlope: 0.01) }),
        ("elu", x, { $0.elu() }),
        ("gelu", x, { $0.gelu() }),
        ("tanh", x, { $0.tanh() }),
        ("sigmoid", x, { $0.sigmoid() }),
        ("exp", x, { $0.exp() }),
        ("log", positive, { $0.log() }),
        ("sqrt", positive, { $0.sqrt() }),
        ("pow 3", x, { $0.pow(3) }),
        ("squared", x, { $0.squared() }),
        ("abs", x, { $0.abs() }),
        ("negate", x, { -$0 }),
        ("clamped(-1, 1)", x, { $0.clamped(min: -1, max: 1) }),
    ]
    // One read and one write of 4-byte floats per element.
    let bytes = Double(x.count * 8)
    for (name, input, map) in maps {
        let forward = stopwatch.median { _ = noGrad { map(input) } }
        let both = try stopwatch.median {
            let y = map(input)
            try y.backward(gradient: gradient)
            input.zeroGrad()
        }
        print(name.padding(toLength: 38, withPad: " ", startingAt: 0),
              String(format: "%9.2f ms %9.1f %9.2f ms", forward * 1e3, bytes / forward / 1e9, both * 1e3))
    }
    let logits = Tensor.randomNormal([1 << 20], generator: &generator)
    logits.requiresGrad = true
    let targets = Tensor.randomUniform([1 << 20], lower: 0, upper: 1, generator: &generator)
    let bce = try stopwatch.median {
        try Tensor.binaryCrossEntropy(logits: logits, targets: targets).backward()
        logits.zeroGrad()
    }
    print("binaryCrossEntropy (1 M) fwd+bwd".padding(toLength: 58, withPad: " ", startingAt: 0),
          String(format: "%9.2f ms", bce * 1e3))
}
