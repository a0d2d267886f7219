import CStrataKernels
import StrataCore

/// RMSprop: divides the gradient by a running root mean square of recent gradients, with optional
/// centering and momentum, with the update rule and defaults of PyTorch's `torch.optim.RMSprop`.
///
/// Each step, with `g = grad + weightDecay·p`:
///
///     s = α·s + (1 − α)·g²
///     a = α·a + (1 − α)·g,   r = sqrt(s − a²) + ε          (centered)     or   r = sqrt(s) + ε
///     b = μ·b + g / r,       p -= lr · b                    (momentum > 0) or   p -= lr · g / r
///
/// Defaults are PyTorch's: lr 0.01, α 0.99, ε 1e-8. Keras calls α `rho` and defaults to lr 1e-3,
/// rho 0.9, ε 1e-7.
///
/// ```swift
/// let optimizer = RMSprop(learningRate: 1e-3, momentum: 0.9, centered: true)
/// ```
public final class RMSprop: Optimizer {
    /// The step size used by the next `step`.
    public var learningRate: Float
    /// The decay of the running mean of squared gradients (Keras's `rho`).
    public let alpha: Float
    /// Added to the root mean square, to avoid division by zero.
    public let epsilon: Float
    /// The factor applied to the momentum buffer each step (0 turns momentum off).
    public let momentum: Float
    /// Whether the running mean of gradients is subtracted, normalizing by an estimate of the variance.
    public let centered: Bool
    /// The L2 penalty: `weightDecay · p` is added to each gradient before the update.
    public let weightDecay: Float
    /// Clipping applied to the gradients (in place) before each update, if any.
    public var gradientClipping: GradientClipping?
    /// The number of `step` calls so far.
    public private(set) var iterations = 0
    private let slots: OptimizerSlots

    /// The slot that holds each parameter's running mean of squared gradients.
    public static let squareAverageSlot = "squareAverage"
    /// The slot that holds each parameter's momentum buffer (momentum > 0 only).
    public static let momentumSlot = "momentum"
    /// The slot that holds each parameter's running mean of gradients (centered only).
    public static let gradientAverageSlot = "gradientAverage"

    /// An RMSprop optimizer with PyTorch's defaults.
    public init(learningRate: Float = 0.01, alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0,
                centered: Bool = false, weightDecay: Float = 0, gradientClipping: GradientClipping? = nil) {
        precondition(learningRate >= 0, "RMSprop: learningRate must not be negative, got \(learningRate)")
        precondition(alpha >= 0 && alpha <= 1, "RMSprop: alpha must be in [0, 1], got \(alpha)")
        precondition(epsilon >= 0, "RMSprop: epsilon must not be negative, got \(epsilon)")
        precondition(momentum >= 0, "RMSprop: momentum must not be negative, got \(momentum)")
        precondition(weightDecay >= 0, "RMSprop: weightDecay must not be negative, got \(weightDecay)")
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.weightDecay = weightDecay
        self.gradientClipping = gradientClipping
        var slotNames = [Self.squareAverageSlot]
        if momentum > 0 { slotNames.append(Self.momentumSlot) }
        if centered { slotNames.append(Self.gradientAverageSlot) }
        slots = OptimizerSlots(optimizer: "RMSprop", slotNames: slotNames)
    }

    /// Clips the gradients if asked, then updates every parameter that has a gradient.
    public func step(_ parameters: [Parameter]) {
        gradientClipping?.apply(to: parameters)
        iterations += 1
        for parameter in parameters {
            guard let gradient = parameter.gradientForUpdate(by: "RMSprop") else { continue }
            update(parameter.tensor.pointer, gradient.pointer, slots.slots(for: parameter).buffers,
                   count: gradient.count)
            parameter.tensor.storage.bumpVersion()
        }
    }

    /// One fused pass over a parameter: weight decay, the running means, momentum and the update.
    private func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ buffers: [Tensor],
                        count: Int) {
        let lr = learningRate, wd = weightDecay, alpha = alpha, eps = epsilon, mu = momentum
        let oneMinusAlpha = Float(1 - Double(alpha))
        let s = buffers[0].pointer
        let b = momentum > 0 ? buffers[1].pointer : nil
        let a = centered ? buffers[buffers.count - 1].pointer : nil
        if !OptimizerKernels.useReference {
            var scalars = strata_rmsprop_scalars(learning_rate: lr, weight_decay: wd, alpha: alpha,
                                                 one_minus_alpha: oneMinusAlpha, epsilon: eps, momentum: mu)
            OptimizerKernels.run(count: count) { start, end in
                strata_rmsprop_update(p, g, s, b, a, start, end, &scalars)
            }
            return
        }
        typealias L = EightLaneLoop
        L.run(count: count) { i, lanes in
            let parameter = L.load(p, i, lanes)
            let gradient = L.load(g, i, lanes) + wd * parameter
            let square = L.load(s, i, lanes) * alpha + oneMinusAlpha * gradient * gradient
            L.store(square, s, i, lanes)
            var root: L.Lanes
            if let a {
                let oldMean = L.load(a, i, lanes)
                let mean = oldMean + oneMinusAlpha * (gradient - oldMean)
                L.store(mean, a, i, lanes)
                root = (square - mean * mean).squareRoot()
            } else {
                root = square.squareRoot()
            }
            root += eps
            if let b {
                let buffer = L.load(b, i, lanes) * mu + gradient / root
                L.store(buffer, b, i, lanes)
                L.store(parameter - lr * buffer, p, i, lanes)
            } else {
                L.store(parameter - lr * gradient / root, p, i, lanes)
            }
        }
    }

    /// The running means and momentum buffers (`"squareAverage/<name>"`, …), the learning rate and the
    /// iteration count.
    public func stateDictionary() -> [String: Tensor] {
        slots.stateDictionary(learningRate: learningRate, iterations: iterations)
    }

    /// Restores `stateDictionary()` output; throws `OptimizerStateError` naming a bad or missing entry.
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        (learningRate, iterations) = try slots.load(state)
    }
}
