import Foundation

// The activations and their backward maps as `UnaryFunction` / `BinaryFunction` types, so
// `MapKernel` runs each one specialized (see MapKernel.swift). Every scalar form is the formula the
// op documents; every SIMD form gives the same bits (ElementwiseFunctionTests).

/// max(x, 0), with NaN mapped to 0.
struct ReLUFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { x > 0 ? x : 0 }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>().replacing(with: x, where: x .> SIMD8<Float>())
    }
}

/// ReLU's backward from its output: the gradient g where y > 0, else 0.
struct ReLUGradientFunction: BinaryFunction {
    @inline(__always) func scalar(_ g: Float, _ y: Float) -> Float { y > 0 ? g : 0 }
    @inline(__always) func vector(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>().replacing(with: g, where: y .> SIMD8<Float>())
    }
}

/// x where x > 0, else slope·x.
struct LeakyReLUFunction: UnaryFunction {
    let slope: Float
    @inline(__always) func scalar(_ x: Float) -> Float { x > 0 ? x : slope * x }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> {
        (slope * x).replacing(with: x, where: x .> SIMD8<Float>())
    }
}

/// Leaky ReLU's backward from its input: g where x > 0, else slope·g.
struct LeakyReLUGradientFunction: BinaryFunction {
    let slope: Float
    @inline(__always) func scalar(_ g: Float, _ x: Float) -> Float { x > 0 ? g : slope * g }
    @inline(__always) func vector(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
        (slope * g).replacing(with: g, where: x .> SIMD8<Float>())
    }
}

/// x where x > 0, else α·(e^x − 1); e^x from `VectorMath`, computed for every x and then selected.
struct ELUFunction: UnaryFunction {
    let alpha: Float
    @inline(__always) func scalar(_ x: Float) -> Float { scalarThroughApply(x) }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> { vectorThroughApply(x) }
    @inline(__always) func apply(_ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.elu(source, out, count: count, alpha: alpha)
    }
}

/// ELU's slope from its input x and output y: 1 where x > 0, else y + α.
struct ELUSlopeFunction: BinaryFunction {
    let alpha: Float
    @inline(__always) func scalar(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : y + alpha }
    @inline(__always) func vector(_ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
        (y + alpha).replacing(with: 1, where: x .> SIMD8<Float>())
    }
}

/// The exact GELU x·Φ(x) = x·(1 + erf(x/√2))/2, with erf from `VectorMath`.
struct GELUFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { scalarThroughApply(x) }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> { vectorThroughApply(x) }
    @inline(__always) func apply(_ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.gelu(source, out, count: count)
    }
}

/// GELU's backward from its input: g·(Φ(x) + x·φ(x)), with erf and exp from `VectorMath`.
struct GELUGradientFunction: BinaryFunction {
    @inline(__always) func scalar(_ g: Float, _ x: Float) -> Float { scalarThroughApply(g, x) }
    @inline(__always) func vector(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> { vectorThroughApply(g, x) }
    @inline(__always) func apply(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                 count: Int) {
        VectorMath.geluBackward(g, x, out, count: count)
    }
}

/// The hyperbolic tangent, from `VectorMath`.
struct TanhFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { scalarThroughApply(x) }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> { vectorThroughApply(x) }
    @inline(__always) func apply(_ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.tanh(source, out, count: count)
    }
}

/// tanh's backward from its output: g·(1 − y²).
struct TanhGradientFunction: BinaryFunction {
    @inline(__always) func scalar(_ g: Float, _ y: Float) -> Float { g * (1 - y * y) }
    @inline(__always) func vector(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> { g * (1 - y * y) }
}

/// The numerically stable logistic function: with e = e^−|x| from `VectorMath`, 1 / (1 + e) for
/// x ≥ 0 and e / (1 + e) otherwise (both computed, one selected).
struct SigmoidFunction: UnaryFunction {
    @inline(__always) func scalar(_ x: Float) -> Float { scalarThroughApply(x) }
    @inline(__always) func vector(_ x: SIMD8<Float>) -> SIMD8<Float> { vectorThroughApply(x) }
    @inline(__always) func apply(_ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.sigmoid(source, out, count: count)
    }
}

/// The sigmoid's backward from its output: g·y·(1 − y).
struct SigmoidGradientFunction: BinaryFunction {
    @inline(__always) func scalar(_ g: Float, _ y: Float) -> Float { g * y * (1 - y) }
    @inline(__always) func vector(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> { g * y * (1 - y) }
}

/// Binary cross-entropy's gradient for its logits v and targets t: (σ(v) − t)·scale.
struct SigmoidCrossEntropyGradientFunction: BinaryFunction {
    let scale: Float
    @inline(__always) func scalar(_ v: Float, _ t: Float) -> Float { (Tensor.sigmoid(v) - t) * scale }
}
