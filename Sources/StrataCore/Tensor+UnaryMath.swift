import Foundation

/// Elementwise math functions, each with its derivative beside it.
extension Tensor {
    /// Negation.
    public static prefix func - (x: Tensor) -> Tensor {
        let result = MapKernel.unary(x, NegateFunction())
        if needsGrad(x) { result.record("negate", [x]) { grad in [-grad] } }
        return result
    }

    /// e raised to each element.
    public func exp() -> Tensor {
        let result = MapKernel.unary(self, ExpFunction())
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("exp", [self], saving: [y]) { grad in [grad * y] }
        }
        return result
    }

    /// The natural logarithm of each element.
    public func log() -> Tensor {
        let result = MapKernel.unary(self, LogFunction())
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("log", [self], saving: [x]) { grad in [grad / x] }
        }
        return result
    }

    /// The square root of each element.
    public func sqrt() -> Tensor {
        let result = MapKernel.unary(self, SquareRootFunction())
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("sqrt", [self], saving: [y]) { grad in [MapKernel.binary(grad, y, op: "sqrt backward", SquareRootGradientFunction())] }
        }
        return result
    }

    /// Each element squared.
    public func squared() -> Tensor {
        let result = MapKernel.unary(self, SquareFunction())
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("square", [self], saving: [x]) { grad in [MapKernel.binary(grad, x, op: "square backward", SquareGradientFunction())] }
        }
        return result
    }

    /// Each element raised to a fixed power.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return squared() }
        let result = MapKernel.unary(self, PowerFunction(exponent: exponent))
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("pow", [self], saving: [x]) { grad in
                [MapKernel.binary(grad, x, op: "pow backward", PowerGradientFunction(exponent: exponent))]
            }
        }
        return result
    }

    /// The absolute value of each element (gradient 0 at 0).
    public func abs() -> Tensor {
        let result = MapKernel.unary(self, AbsoluteFunction())
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("abs", [self], saving: [x]) { grad in
                [MapKernel.binary(grad, x, op: "abs backward", AbsoluteGradientFunction())]
            }
        }
        return result
    }

    /// The hyperbolic tangent of each element.
    public func tanh() -> Tensor {
        let result = MapKernel.unary(self, TanhFunction())
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("tanh", [self], saving: [y]) { grad in [MapKernel.binary(grad, y, op: "tanh backward", TanhGradientFunction())] }
        }
        return result
    }

    /// The logistic function 1 / (1 + e^−x) of each element.
    public func sigmoid() -> Tensor {
        let result = MapKernel.unary(self, SigmoidFunction())
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("sigmoid", [self], saving: [y]) { grad in [MapKernel.binary(grad, y, op: "sigmoid backward", SigmoidGradientFunction())] }
        }
        return result
    }

    /// max(x, 0) for each element.
    public func relu() -> Tensor {
        let result = MapKernel.unary(self, ReLUFunction())
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("relu", [self], saving: [y]) { grad in [MapKernel.binary(grad, y, op: "relu backward", ReLUGradientFunction())] }
        }
        return result
    }

    /// x for positive elements, `negativeSlope`·x otherwise.
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        let result = MapKernel.unary(self, LeakyReLUFunction(slope: negativeSlope))
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("leakyRelu", [self], saving: [x]) { grad in
                [MapKernel.binary(grad, x, op: "leakyRelu backward", LeakyReLUGradientFunction(slope: negativeSlope))]
            }
        }
        return result
    }

    /// x for positive elements, α·(e^x − 1) otherwise.
    public func elu(alpha: Float = 1) -> Tensor {
        let result = MapKernel.unary(self, ELUFunction(alpha: alpha))
        if Tensor.needsGrad(self) {
            let x = detached(), y = result.detached()
            result.record("elu", [self], saving: [x, y]) { grad in
                let slope = MapKernel.binary(x, y, op: "elu backward", ELUSlopeFunction(alpha: alpha))
                return [grad * slope]
            }
        }
        return result
    }

    /// The Gaussian error linear unit x·Φ(x) (exact, with erf, as PyTorch's and Keras's default).
    public func gelu() -> Tensor {
        let result = MapKernel.unary(self, GELUFunction())
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("gelu", [self], saving: [x]) { grad in
                [MapKernel.binary(grad, x, op: "gelu backward", GELUGradientFunction())]
            }
        }
        return result
    }

    /// The numerically stable logistic function of one value: 1 / (1 + e^−x) for x ≥ 0, else
    /// e^x / (1 + e^x); both sides computed and one selected, so a loop over mixed signs does not branch.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        let e = Foundation.exp(-Swift.abs(x))
        let denominator = 1 + e
        return x >= 0 ? 1 / denominator : e / denominator
    }
}
