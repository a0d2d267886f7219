import StrataCore
import StrataNN
import XCTest

/// Optimizer steps change parameters in place, so they bump the parameters' version: a graph that
/// saved a parameter and was kept with `retainGraph:` refuses another backward after a step.
final class OptimizerVersionTests: XCTestCase {
    private let optimizers: [(String, () -> any Optimizer)] = [
        ("SGD", { SGD(learningRate: 0.1) }),
        ("SGD momentum", { SGD(learningRate: 0.1, momentum: 0.9) }),
        ("Adam", { Adam(learningRate: 0.1) }),
        ("AdamW", { AdamW(learningRate: 0.1, weightDecay: 0.01) }),
        ("RMSprop", { RMSprop(learningRate: 0.1) }),
        ("Adagrad", { Adagrad(learningRate: 0.1) }),
    ]

    func testEveryOptimizerStepBumpsTheParameterVersion() throws {
        for (label, make) in optimizers {
            let weight = Parameter(name: "weight", tensor: Tensor([[1], [2]], requiresGrad: true))
            let inputs = Tensor([[3, 4]])
            let loss = inputs.matmul(weight.tensor).sum()
            try loss.backward(retainGraph: true)
            make().step([weight])
            XCTAssertEqual(weight.tensor.version, 1, label)
            XCTAssertThrowsError(try loss.backward(), label) { error in
                XCTAssertEqual(error as? AutogradError,
                               .savedTensorModified(op: "matmul", shape: [2, 1], version: 1, expected: 0), label)
            }
            // The usual loop (forward, backward, step) builds a new graph each time and never trips.
            weight.tensor.zeroGrad()
            try inputs.matmul(weight.tensor).sum().backward()
            XCTAssertEqual(weight.tensor.grad?.scalars, [3, 4], label)
        }
    }
}
