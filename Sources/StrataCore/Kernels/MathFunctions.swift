import Foundation

// The elementwise math functions and their backward maps as `UnaryFunction` / `BinaryFunction`
// types for `MapKernel`; every SIMD form gives the scalar form's bits (ElementwiseFunctionTests).

/// −x.
struct NegateFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { -x }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> { x.signFlipped }
}

/// e^x.
struct ExpFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { Foundation.exp(x) }
}

/// The natural logarithm.
struct LogFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { Foundation.log(x) }
}

/// √x.
struct SquareRootFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> { x.squareRoot() }
}

/// The square root's backward from its output: g / (2y).
struct SquareRootGradientFunction: BinaryFunction {
    @inline(__always) func scalar(_ g: Float, _ y: Float) -> Float { g / (2 * y) }
    @inline(__always) func vector(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> { g / (2 * y) }
}

/// x².
struct SquareFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { x * x }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> { x * x }
}

/// The square's backward from its input: 2·g·x.
struct SquareGradientFunction: BinaryFunction {
    @inline(__always) func scalar(_ g: Float, _ x: Float) -> Float { 2 * g * x }
    @inline(__always) func vector(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> { 2 * g * x }
}

/// x raised to a fixed exponent.
struct PowerFunction: UnaryFunction {
    let exponent: Float
    @inline(__always) func scalar(_ x: Float) -> Float { Foundation.pow(x, exponent) }
}

/// The power's backward from its input: g·p·x^(p − 1).
struct PowerGradientFunction: BinaryFunction {
    let exponent: Float
    @inline(__always) func scalar(_ g: Float, _ x: Float) -> Float { g * exponent * Foundation.pow(x, exponent - 1) }
}

/// |x| (the sign bit cleared, as `Swift.abs`).
struct AbsoluteFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { Swift.abs(x) }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self) & SIMD8<UInt32>(repeating: 0x7FFF_FFFF)
        return unsafeBitCast(bits, to: SIMD8<Float>.self)
    }
}

/// |x|'s backward from its input: g where x > 0, −g where x < 0, else 0.
struct AbsoluteGradientFunction: BinaryFunction {
    @inline(__always) func scalar(_ g: Float, _ x: Float) -> Float { x > 0 ? g : (x < 0 ? -g : 0) }
    @inline(__always) func vector(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
        let zero = SIMD8<Float>()
        return zero.replacing(with: g.signFlipped, where: x .< zero).replacing(with: g, where: x .> zero)
    }
}

/// min(max(x, lower), upper), with `Swift.min` and `Swift.max`'s choices (NaN stays NaN).
struct ClampFunction: UnaryFunction {
    let lower: Float, upper: Float
    @inline(__always) func scalar(_ x: Float) -> Float { Swift.min(Swift.max(x, lower), upper) }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Swift.max(x, y) is `y >= x ? y : x`; Swift.min(x, y) is `y < x ? y : x`.
        let lowerLanes = SIMD8<Float>(repeating: lower), upperLanes = SIMD8<Float>(repeating: upper)
        let raised = x.replacing(with: lowerLanes, where: lowerLanes .>= x)
        return raised.replacing(with: upperLanes, where: upperLanes .< raised)
    }
}

/// The clamp's backward from its input: g where lower ≤ x ≤ upper, else 0.
struct ClampGradientFunction: BinaryFunction {
    let lower: Float, upper: Float
    @inline(__always) func scalar(_ g: Float, _ x: Float) -> Float { x >= lower && x <= upper ? g : 0 }
    @inline(__always) func vector(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>().replacing(with: g, where: (x .>= lower) .& (x .<= upper))
    }
}

extension SIMD8<Float> {
    /// Every lane with its sign bit flipped, as scalar negation does (the SIMD prefix `-` computes
    /// 0 − x, which turns +0 into +0 rather than −0).
    @inline(__always)
    var signFlipped: SIMD8<Float> {
        let bits = unsafeBitCast(self, to: SIMD8<UInt32>.self) ^ SIMD8<UInt32>(repeating: 0x8000_0000)
        return unsafeBitCast(bits, to: SIMD8<Float>.self)
    }
}
