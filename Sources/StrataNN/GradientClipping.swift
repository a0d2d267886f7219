import StrataCore

/// How gradients are limited before an update.
///
/// Set it on an optimizer (`optimizer.gradientClipping = .norm(1)`) to clip inside every `step`, or call
/// `clipGradients(_:maxNorm:)` / `clipGradients(_:maxValue:)` yourself between `backward()` and `step`.
/// Either way the gradients are changed in place, as PyTorch's `clip_grad_norm_` and `clip_grad_value_` do.
public enum GradientClipping: Equatable, Sendable {
    /// Scale all gradients together so that their global L2 norm is at most this value.
    case norm(Float)
    /// Limit each gradient element to `[-value, value]`.
    case value(Float)

    /// Clips the gradients of `parameters` in place as this case says.
    public func apply(to parameters: [Parameter]) {
        switch self {
        case .norm(let maxNorm): clipGradients(parameters, maxNorm: maxNorm)
        case .value(let maxValue): clipGradients(parameters, maxValue: maxValue)
        }
    }
}

/// Scales every gradient by `maxNorm / (norm + 1e-6)` when that factor is below 1, where `norm` is the
/// L2 norm of all gradients taken together (PyTorch's `clip_grad_norm_`); returns `norm` before clipping.
///
/// Parameters without a gradient are ignored. A non-finite norm is returned and nothing is scaled.
///
/// ```swift
/// try loss.backward()
/// let norm = clipGradients(model.parameters, maxNorm: 1)
/// optimizer.step(model.parameters)
/// ```
@discardableResult
public func clipGradients(_ parameters: [Parameter], maxNorm: Float) -> Float {
    precondition(maxNorm >= 0, "clipGradients: maxNorm must not be negative, got \(maxNorm)")
    let gradients = parameters.compactMap { $0.gradientForUpdate(by: "clipGradients") }
    var sumOfSquares: Double = 0
    for gradient in gradients {
        sumOfSquares += GradientNorm.sumOfSquares(gradient.pointer, count: gradient.count)
    }
    let norm = Float(sumOfSquares.squareRoot())
    let scale = Double(maxNorm) / (Double(norm) + 1e-6)
    if norm.isFinite && scale < 1 {
        for gradient in gradients { gradient.scaleInPlace(by: Float(scale)) }
    }
    return norm
}

/// Limits every gradient element to `[-maxValue, maxValue]` in place (PyTorch's `clip_grad_value_`).
///
/// Parameters without a gradient are ignored; NaN elements stay NaN.
public func clipGradients(_ parameters: [Parameter], maxValue: Float) {
    precondition(maxValue >= 0, "clipGradients: maxValue must not be negative, got \(maxValue)")
    for parameter in parameters {
        guard let gradient = parameter.gradientForUpdate(by: "clipGradients") else { continue }
        let g = gradient.pointer
        ThreadPolicy.parallelFor(count: gradient.count) { range in
            // Swift.max/min return their first argument when a comparison involves NaN, so NaN stays.
            for i in range { g[i] = Swift.min(Swift.max(g[i], -maxValue), maxValue) }
        }
    }
}

/// The sum of squares that the global gradient norm is made of, accumulated in blocks of `Float`
/// lanes (fast) whose totals are added up in `Double` (accurate for millions of elements).
enum GradientNorm {
    /// Elements summed in `Float` before the running total moves to `Double`.
    static let blockSize = 4096

    /// Σ x² over `count` elements starting at `x`.
    static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total: Double = 0
        var start = 0
        while start < count {
            let end = min(start + blockSize, count)
            var lanes = SIMD8<Float>()
            var i = start
            while i + 8 <= end {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                lanes.addProduct(v, v)
                i += 8
            }
            var block = Double(lanes.sum())
            while i < end {
                block += Double(x[i] * x[i])
                i += 1
            }
            total += block
            start = end
        }
        return total
    }
}
