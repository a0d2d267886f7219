import StrataCore
import StrataNN
import XCTest

/// Each optimizer, with gradients from Strata's autograd, fits a noise-free linear regression
/// y = X·w + b (64 points, 4 features) to a small loss within a fixed number of steps.
final class OptimizerConvergenceTests: XCTestCase {
    /// The data: X (64, 4) standard normal, y = X·(1, −2, 0.5, 3) + 0.7, shape (64, 1).
    private struct Regression {
        let inputs: Tensor
        let targets: Tensor

        init() {
            let inputs = Tensor.randomNormal([64, 4], seed: 7)
            let trueWeights = Tensor([[1], [-2], [0.5], [3]])
            self.inputs = inputs
            targets = noGrad { inputs.matmul(trueWeights) + Tensor(0.7) }
        }

        /// Runs `steps` full-batch updates from zero and returns the loss before and after.
        func fit(with optimizer: any Optimizer, steps: Int) throws -> (initial: Float, final: Float) {
            let parameters = [Parameter(name: "linear.weight", tensor: Tensor.zeros([4, 1], requiresGrad: true)),
                              Parameter(name: "linear.bias", tensor: Tensor.zeros([1], requiresGrad: true))]
            func loss() -> Tensor {
                Tensor.meanSquaredError(predictions: inputs.matmul(parameters[0].tensor) + parameters[1].tensor,
                                        targets: targets)
            }
            let initial = noGrad { loss().scalar }
            for _ in 0..<steps {
                parameters.zeroGradients()
                try loss().backward()
                optimizer.step(parameters)
            }
            XCTAssertEqual(optimizer.iterations, steps)
            return (initial, noGrad { loss().scalar })
        }
    }

    private let cases: [(String, () -> any Optimizer, Int, Float)] = [
        ("SGD", { SGD(learningRate: 0.1) }, 200, 1e-6),
        ("SGD momentum", { SGD(learningRate: 0.05, momentum: 0.9) }, 200, 1e-6),
        ("SGD Nesterov", { SGD(learningRate: 0.05, momentum: 0.9, nesterov: true) }, 200, 1e-6),
        ("Adam", { Adam(learningRate: 0.1) }, 300, 1e-4),
        ("Adam AMSGrad", { Adam(learningRate: 0.1, amsgrad: true) }, 300, 1e-4),
        ("AdamW", { AdamW(learningRate: 0.1, weightDecay: 1e-4) }, 300, 1e-3),
        ("RMSprop", { RMSprop(learningRate: 0.01) }, 400, 1e-3),
        ("RMSprop centered momentum", { RMSprop(learningRate: 0.01, momentum: 0.5, centered: true) }, 400, 1e-3),
        ("Adagrad", { Adagrad(learningRate: 1) }, 300, 1e-4),
        ("Adam clipped", { Adam(learningRate: 0.1, gradientClipping: .norm(1)) }, 300, 1e-4),
    ]

    func testEveryOptimizerFitsALinearRegression() throws {
        let problem = Regression()
        for (label, factory, steps, target) in cases {
            let (initial, final) = try problem.fit(with: factory(), steps: steps)
            XCTAssertGreaterThan(initial, 5, label)
            XCTAssertLessThan(final, target, "\(label): loss \(initial) → \(final) after \(steps) steps")
        }
    }
}
