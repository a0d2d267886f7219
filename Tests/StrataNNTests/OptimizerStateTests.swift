import StrataCore
import StrataNN
import StrataTestSupport
import Testing
import XCTest

/// `stateDictionary()` / `loadStateDictionary(_:)`: a fresh optimizer loaded with a state continues
/// bit for bit like the original, and bad states are refused with the entry's name.
final class OptimizerStateTests: XCTestCase {
    /// One of each optimizer and variant, as (description, factory).
    private let factories: [(String, () -> any Optimizer)] = [
        ("SGD", { SGD(learningRate: 0.1) }),
        ("SGD momentum", { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01) }),
        ("Adam", { Adam(learningRate: 0.01) }),
        ("Adam amsgrad", { Adam(learningRate: 0.01, weightDecay: 0.1, amsgrad: true) }),
        ("AdamW", { AdamW(learningRate: 0.01, gradientClipping: .norm(1)) }),
        ("RMSprop", { RMSprop(learningRate: 0.01) }),
        ("RMSprop centered", { RMSprop(learningRate: 0.01, momentum: 0.9, centered: true) }),
        ("Adagrad", { Adagrad(learningRate: 0.1, initialAccumulator: 0.1) }),
    ]

    /// Parameters `dense.kernel` (3, 2) and `dense.bias` (2).
    private func makeParameters() -> [Parameter] {
        [Parameter(name: "dense.kernel", tensor: Tensor.randomNormal([3, 2], seed: 1, requiresGrad: true)),
         Parameter(name: "dense.bias", tensor: Tensor.randomNormal([2], seed: 2, requiresGrad: true))]
    }

    /// Sets the gradients of step `step` (a fixed pseudo-random sequence; the bias has none at step 1).
    private func setGradients(_ parameters: [Parameter], step: Int) {
        for (index, parameter) in parameters.enumerated() {
            let skip = index == 1 && step == 1
            parameter.tensor.grad = skip ? nil : Tensor.randomNormal(parameter.tensor.shape, seed: UInt64(100 * step + index))
        }
    }

    private func copies(of parameters: [Parameter]) -> [Parameter] {
        parameters.map { Parameter(name: $0.name, tensor: $0.tensor.copy()) }
    }

    func testLoadedOptimizerContinuesBitForBit() throws {
        for (label, factory) in factories {
            let original = factory()
            let parameters = makeParameters()
            for step in 0..<3 {
                setGradients(parameters, step: step)
                original.step(parameters)
            }
            original.learningRate *= 0.5  // as a schedule would
            let state = original.stateDictionary()
            let restored = factory()
            try restored.loadStateDictionary(state)
            XCTAssertEqual(restored.iterations, 3, label)
            XCTAssertEqual(restored.learningRate, original.learningRate, label)
            let twins = copies(of: parameters)
            for step in 3..<6 {
                setGradients(parameters, step: step)
                setGradients(twins, step: step)
                original.step(parameters)
                restored.step(twins)
            }
            for (a, b) in zip(parameters, twins) {
                XCTAssertEqual(a.tensor.scalars, b.tensor.scalars, "\(label): \(a.name)")
            }
            // The dictionary was a copy: later steps did not change it.
            XCTAssertEqual(state["iterations"]?.scalar, 3, label)
        }
    }

    func testStateEntriesAreNamedBySlotAndParameter() {
        let adam = Adam(amsgrad: true)
        let parameters = makeParameters()
        setGradients(parameters, step: 0)
        adam.step(parameters)
        let state = adam.stateDictionary()
        XCTAssertEqual(Set(state.keys), [
            "learningRate", "iterations",
            "firstMoment/dense.kernel", "secondMoment/dense.kernel", "maxSecondMoment/dense.kernel", "step/dense.kernel",
            "firstMoment/dense.bias", "secondMoment/dense.bias", "maxSecondMoment/dense.bias", "step/dense.bias",
        ])
        XCTAssertEqual(state["secondMoment/dense.kernel"]?.shape, [3, 2])
        XCTAssertEqual(state["learningRate"]?.count, 1)
        XCTAssertEqual(Set(SGD().stateDictionary().keys), ["learningRate", "iterations"])
    }

    func testBadStatesThrowNamingTheEntry() {
        let parameters = makeParameters()
        let adam = Adam()
        setGradients(parameters, step: 0)
        adam.step(parameters)
        let good = adam.stateDictionary()

        func expectError(_ state: [String: Tensor], into optimizer: any Optimizer = Adam(), entry: String,
                         mentioning words: [String], line: UInt = #line) {
            XCTAssertThrowsError(try optimizer.loadStateDictionary(state), line: line) { error in
                guard let stateError = error as? OptimizerStateError else {
                    return XCTFail("threw \(type(of: error)), not OptimizerStateError", line: line)
                }
                XCTAssertEqual(stateError.entry, entry, line: line)
                let message = String(describing: error)
                for word in [entry] + words {
                    XCTAssertTrue(message.contains(word), "\"\(message)\" does not mention \(word)", line: line)
                }
            }
        }

        var missing = good
        missing["secondMoment/dense.bias"] = nil
        expectError(missing, entry: "secondMoment/dense.bias", mentioning: ["missing", "Adam"])
        var noIterations = good
        noIterations["iterations"] = nil
        expectError(noIterations, entry: "iterations", mentioning: ["missing"])
        var misshaped = good
        misshaped["secondMoment/dense.kernel"] = Tensor.zeros([2, 3])
        expectError(misshaped, entry: "secondMoment/dense.kernel",
                    mentioning: ["[2, 3]", "[3, 2]", "firstMoment/dense.kernel"])
        var wideRate = good
        wideRate["learningRate"] = Tensor([0.1, 0.2])
        expectError(wideRate, entry: "learningRate", mentioning: ["shape [2]"])
        var fractional = good
        fractional["step/dense.bias"] = Tensor(2.5)
        expectError(fractional, entry: "step/dense.bias", mentioning: ["2.5"])
        var noStep = good
        noStep["step/dense.kernel"] = nil
        expectError(noStep, entry: "step/dense.kernel", mentioning: ["missing"])
        // Adam's state in an SGD with momentum, and AMSGrad state in a plain Adam.
        expectError(good, into: SGD(momentum: 0.9), entry: "firstMoment/dense.bias", mentioning: ["SGD", "unexpected"])
        let amsgrad = Adam(amsgrad: true)
        amsgrad.step(parameters)
        expectError(amsgrad.stateDictionary(), entry: "maxSecondMoment/dense.bias", mentioning: ["unexpected"])
        var stray = good
        stray["momentum"] = Tensor(0.9)
        expectError(stray, entry: "momentum", mentioning: ["unexpected"])
    }

    func testFailedLoadChangesNothing() throws {
        let parameters = makeParameters()
        let adam = Adam(learningRate: 0.01)
        setGradients(parameters, step: 0)
        adam.step(parameters)
        let before = adam.stateDictionary()
        var bad = before
        bad["iterations"] = Tensor(7)
        bad["secondMoment/dense.kernel"] = Tensor.zeros([1])
        XCTAssertThrowsError(try adam.loadStateDictionary(bad))
        XCTAssertEqual(adam.iterations, 1)
        let after = adam.stateDictionary()
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        for (key, value) in before { XCTAssertEqual(after[key]?.scalars, value.scalars, key) }
    }
}

/// Loading a state written for another model is caught at the first step, naming entry and shapes.
@Suite struct OptimizerStateShapeTests {
    @Test func stepWithStateOfAnotherShapeNamesTheEntry() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let state: [String: Tensor] = ["learningRate": Tensor(0.1), "iterations": Tensor(1),
                                           "momentum/w": Tensor.zeros([4])]
            let sgd = SGD(momentum: 0.9)
            try? sgd.loadStateDictionary(state)
            let w = Tensor.zeros([2, 2], requiresGrad: true)
            w.grad = Tensor.zeros([2, 2])
            sgd.step([Parameter(name: "w", tensor: w)])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("SGD.step: state entry \"momentum/w\" has shape [4]"))
        #expect(message.contains("[2, 2]"))
    }
}
