import StrataCore
import XCTest

/// Checks the gradients recorded by an op against central finite differences.
///
/// `function` maps the inputs to an output of any shape. A fixed random "probe" tensor `p` of the
/// output's shape turns it into the scalar `L = sum(function(inputs) ⊙ p)`; the analytic gradient of
/// `L` comes from `output.backward(gradient: p)` and the numeric one from `(L(x+ε) − L(x−ε)) / 2ε`
/// in Double precision, for every element of every input that requires gradients.
public func checkGradients(_ name: String, inputs: [Tensor], epsilon: Float = 1e-2,
                           rtol: Float = 2e-2, atol: Float = 2e-3, seed: UInt64 = 7,
                           file: StaticString = #filePath, line: UInt = #line,
                           _ function: ([Tensor]) -> Tensor) {
    for input in inputs where input.requiresGrad { input.zeroGrad() }
    let output = function(inputs)
    guard output.requiresGrad else {
        XCTFail("\(name): the output was not recorded on the tape", file: file, line: line)
        return
    }
    var generator = RandomGenerator(seed: seed)
    let probeValues = (0..<output.count).map { _ in generator.nextUniform() * 2 - 1 }
    let probe = Tensor(shape: output.shape, scalars: probeValues)
    do {
        try output.backward(gradient: probe)
    } catch {
        XCTFail("\(name): backward threw: \(error)", file: file, line: line)
        return
    }

    func probedSum() -> Double {
        let values = noGrad { function(inputs).scalars }
        var total = 0.0
        for (value, weight) in zip(values, probeValues) { total += Double(value) * Double(weight) }
        return total
    }

    for (inputIndex, input) in inputs.enumerated() where input.requiresGrad {
        guard let analytic = input.grad?.scalars else {
            XCTFail("\(name): input \(inputIndex) got no gradient", file: file, line: line)
            continue
        }
        precondition(input.isContiguous, "checkGradients: inputs must be dense")
        var numeric = [Float](repeating: 0, count: input.count)
        for i in 0..<input.count {
            let original = input.pointer[i]
            // Each write in place bumps the version, as the contract of `TensorStorage.pointer` asks (ops
            // that cache a copy of a weight, such as `BlockedTrainingSegment`, rely on it).
            input.pointer[i] = original + epsilon
            input.storage.bumpVersion()
            let plus = probedSum()
            input.pointer[i] = original - epsilon
            input.storage.bumpVersion()
            let minus = probedSum()
            input.pointer[i] = original
            input.storage.bumpVersion()
            numeric[i] = Float((plus - minus) / (2 * Double(epsilon)))
        }
        assertClose(analytic, numeric, rtol: rtol, atol: atol, "\(name): gradient of input \(inputIndex)",
                    file: file, line: line)
    }
}
