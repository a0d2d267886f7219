import Foundation

/// Elementwise math functions, each with its derivative beside it.
extension Tensor {
    /// Negation.
    public static prefix func - (x: Tensor) -> Tensor {
        let result = MapKernel.unary(x) { -$0 }
        if needsGrad(x) { result.record("negate", [x]) { grad in [-grad] } }
        return result
    }

    /// e raised to each element.
    public func exp() -> Tensor {
        let result = MapKernel.unary(self) { Foundation.exp($0) }
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("exp", [self]) { grad in [grad * y] }
        }
        return result
    }

    /// The natural logarithm of each element.
    public func log() -> Tensor {
        let result = MapKernel.unary(self) { Foundation.log($0) }
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("log", [self]) { grad in [grad / x] }
        }
        return result
    }

    /// The square root of each element.
    public func sqrt() -> Tensor {
        let result = MapKernel.unary(self) { $0.squareRoot() }
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("sqrt", [self]) { grad in [MapKernel.binary(grad, y, op: "sqrt backward") { g, y in g / (2 * y) }] }
        }
        return result
    }

    /// Each element squared.
    public func squared() -> Tensor {
        let result = MapKernel.unary(self) { $0 * $0 }
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("square", [self]) { grad in [MapKernel.binary(grad, x, op: "square backward") { g, x in 2 * g * x }] }
        }
        return result
    }

    /// Each element raised to a fixed power.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return squared() }
        let result = MapKernel.unary(self) { Foundation.pow($0, exponent) }
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("pow", [self]) { grad in
                [MapKernel.binary(grad, x, op: "pow backward") { g, x in g * exponent * Foundation.pow(x, exponent - 1) }]
            }
        }
        return result
    }

    /// The absolute value of each element (gradient 0 at 0).
    public func abs() -> Tensor {
        let result = MapKernel.unary(self) { Swift.abs($0) }
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("abs", [self]) { grad in
                [MapKernel.binary(grad, x, op: "abs backward") { g, x in x > 0 ? g : (x < 0 ? -g : 0) }]
            }
        }
        return result
    }

    /// The hyperbolic tangent of each element.
    public func tanh() -> Tensor {
        let result = MapKernel.unary(self) { Foundation.tanh($0) }
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("tanh", [self]) { grad in [MapKernel.binary(grad, y, op: "tanh backward") { g, y in g * (1 - y * y) }] }
        }
        return result
    }

    /// The logistic function 1 / (1 + e^−x) of each element.
    public func sigmoid() -> Tensor {
        let result = MapKernel.unary(self) { Tensor.sigmoid($0) }
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("sigmoid", [self]) { grad in [MapKernel.binary(grad, y, op: "sigmoid backward") { g, y in g * y * (1 - y) }] }
        }
        return result
    }

    /// max(x, 0) for each element.
    public func relu() -> Tensor {
        let result = MapKernel.unary(self, ReLUFunction.self)
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("relu", [self]) { grad in [MapKernel.binary(grad, y, op: "relu backward", ReLUGradientFunction.self)] }
        }
        return result
    }

    /// x for positive elements, `negativeSlope`·x otherwise.
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        let result = MapKernel.unary(self) { $0 > 0 ? $0 : negativeSlope * $0 }
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("leakyRelu", [self]) { grad in
                [MapKernel.binary(grad, x, op: "leakyRelu backward") { g, x in x > 0 ? g : negativeSlope * g }]
            }
        }
        return result
    }

    /// x for positive elements, α·(e^x − 1) otherwise.
    public func elu(alpha: Float = 1) -> Tensor {
        let result = MapKernel.unary(self) { $0 > 0 ? $0 : alpha * (Foundation.exp($0) - 1) }
        if Tensor.needsGrad(self) {
            let x = detached(), y = result.detached()
            result.record("elu", [self]) { grad in
                let slope = MapKernel.binary(x, y, op: "elu backward") { x, y in x > 0 ? 1 : y + alpha }
                return [grad * slope]
            }
        }
        return result
    }

    /// The Gaussian error linear unit x·Φ(x) (exact, with erf, as PyTorch's and Keras's default).
    public func gelu() -> Tensor {
        let result = MapKernel.unary(self) { x in 0.5 * x * (1 + Foundation.erf(x * Float(0.5).squareRoot())) }
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("gelu", [self]) { grad in
                [MapKernel.binary(grad, x, op: "gelu backward") { g, x in
                    let cdf = 0.5 * (1 + Foundation.erf(x * Float(0.5).squareRoot()))
                    let pdf = Foundation.exp(-0.5 * x * x) / Float(2 * Float.pi).squareRoot()
                    return g * (cdf + x * pdf)
                }]
            }
        }
        return result
    }

    /// The numerically stable logistic function of one value.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}
