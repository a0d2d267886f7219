import StrataCore

/// The argmax experiment's data: random score vectors and the index of each one's largest value.
///
/// Here rather than in StrataExperiments because the experiment draws a fresh batch every step and
/// StrataExperiments is compiled without optimization (it orchestrates; the work is in the libraries).
public enum ArgmaxVectors {
    /// `count` vectors `(count, length)` of uniform values in [0, 1) and the index of each one's largest
    /// value (the first of equal largest values).
    public static func make(count: Int, length: Int, generator: inout RandomGenerator) -> (inputs: Tensor, argmax: [Int]) {
        precondition(count >= 0 && length >= 1, "ArgmaxVectors.make: count \(count) and length \(length) must be ≥ 0 and ≥ 1")
        let inputs = Tensor.randomUniform([count, length], generator: &generator)
        var argmax = [Int](repeating: 0, count: count)
        inputs.scalars.withUnsafeBufferPointer { values in
            for row in 0..<count {
                let base = row * length
                var best = 0
                for column in 1..<length where values[base + column] > values[base + best] { best = column }
                argmax[row] = best
            }
        }
        return (inputs, argmax)
    }

    /// Each output value `(N)` rounded to the nearest position in 0..<length (clamped), −1 where it is
    /// NaN or infinite: a regression head's predicted index.
    public static func roundedIndices(_ outputs: Tensor, length: Int) -> [Int] {
        let values = outputs.scalars
        var indices = [Int](repeating: -1, count: values.count)
        let last = Float(length - 1)
        for (i, value) in values.enumerated() where value.isFinite {
            // Clamped as a Float first: a diverging run's outputs can be beyond Int's range.
            indices[i] = Int(Swift.min(Swift.max(value.rounded(), 0), last))
        }
        return indices
    }

    /// The number of positions where `predicted` and `truth` differ (they must be equally long).
    public static func mismatches(_ predicted: [Int], _ truth: [Int]) -> Int {
        precondition(predicted.count == truth.count, "ArgmaxVectors.mismatches: \(predicted.count) against \(truth.count) indices")
        var count = 0
        for i in predicted.indices where predicted[i] != truth[i] { count += 1 }
        return count
    }

    /// The indices as a float tensor `(N)`, the targets of the losses.
    public static func targets(_ argmax: [Int]) -> Tensor {
        Tensor(argmax.map(Float.init))
    }
}
