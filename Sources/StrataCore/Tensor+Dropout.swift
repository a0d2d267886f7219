/// Inverted dropout: zeroes each element with probability `rate` and scales the rest by 1 / (1 − rate).
extension Tensor {
    /// Randomly zeroes elements with probability `rate` (training only; call it only while training).
    /// The mask is drawn from `generator`, so a seed fixes which elements drop.
    public func dropout(rate: Float, generator: inout RandomGenerator) -> Tensor {
        precondition(rate >= 0 && rate < 1, "dropout: rate must be in [0, 1), got \(rate)")
        if rate == 0 { return self }
        let mask = Tensor(uninitializedShape: shape)
        let keepScale = 1 / (1 - rate)
        for i in 0..<mask.count { mask.pointer[i] = generator.nextUniform() < rate ? 0 : keepScale }
        let result = noGrad { self * mask }
        if Tensor.needsGrad(self) {
            result.record("dropout", [self]) { grad in [grad * mask] }
        }
        return result
    }
}
