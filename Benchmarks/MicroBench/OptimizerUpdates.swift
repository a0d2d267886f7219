import Foundation
import StrataCore
import StrataNN

/// Times one optimizer step over the benchmark models' parameter counts, with the vectorized C updates
/// (the default) and with the Swift reference updates (`OptimizerKernels.useReference`).
func benchmarkOptimizerUpdates(stopwatch: Stopwatch) {
    print("")
    print("optimizer step, parameters             C kernels      Swift reference      speed-up")
    // dense128 (784·128 + 128 + 128·10 + 10), mlp512 and vgg's parameter counts.
    let counts = [("dense128", 101_770), ("mlp512", 669_706), ("vgg", 666_282)]
    let optimizers: [(String, () -> any Optimizer)] = [
        ("Adam", { Adam() }), ("RMSprop", { RMSprop(learningRate: 1e-3) }), ("Adagrad", { Adagrad() }),
    ]
    for (optimizerName, factory) in optimizers {
        for (modelName, count) in counts {
            var generator = RandomGenerator(seed: 4)
            let parameter = Parameter(name: "p", tensor: Tensor.randomNormal([count], generator: &generator))
            parameter.tensor.grad = Tensor.randomNormal([count], standardDeviation: 0.01, generator: &generator)
            var seconds: [Double] = []
            for reference in [false, true] {
                OptimizerKernels.useReference = reference
                let optimizer = factory()
                seconds.append(stopwatch.median { optimizer.step([parameter]) })
            }
            OptimizerKernels.useReference = false
            let label = "\(optimizerName), \(modelName) (\(count))".padding(toLength: 36, withPad: " ", startingAt: 0)
            print(label, String(format: "%9.1f µs %14.1f µs %12.2f×", seconds[0] * 1e6, seconds[1] * 1e6,
                                seconds[1] / seconds[0]))
        }
    }
}
