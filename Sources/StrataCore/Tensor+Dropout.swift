/// Inverted dropout: zeroes each element with probability `rate` and scales the rest by 1 / (1 − rate).
extension Tensor {
    /// Randomly zeroes elements with probability `rate` (training only; call it only while training).
    /// The mask is drawn from `generator`, so a seed fixes which elements drop; it is kept for the
    /// backward pass as one byte per element (`DropoutMask`), not as a tensor of `Float`s.
    public func dropout(rate: Float, generator: inout RandomGenerator) -> Tensor {
        precondition(rate >= 0 && rate < 1, "dropout: rate must be in [0, 1), got \(rate)")
        if rate == 0 { return self }
        let mask = DropoutMask(count: count, rate: rate, generator: &generator)
        let result = mask.apply(to: self)
        if Tensor.needsGrad(self) {
            result.record("dropout", [self]) { grad in [mask.apply(to: grad)] }
        }
        return result
    }
}
