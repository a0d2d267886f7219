import CStrataKernels
import StrataCore

/// Adagrad: divides each gradient element by the root of the sum of all its past squares, with the
/// update rule and defaults of PyTorch's `torch.optim.Adagrad` (without `lr_decay`; use a schedule).
///
/// Each step, with `g = grad + weightDecay·p`: `sum += g²; p -= lr · g / (sqrt(sum) + ε)`.
/// Defaults are PyTorch's: lr 0.01, initial accumulator 0, ε 1e-10 (Keras: lr 1e-3, 0.1, 1e-7).
///
/// ```swift
/// let optimizer = Adagrad(learningRate: 0.1, initialAccumulator: 0.1)
/// ```
public final class Adagrad: Optimizer {
    /// The step size used by the next `step`.
    public var learningRate: Float
    /// The value every element of the sum of squares starts from.
    public let initialAccumulator: Float
    /// Added to the root of the sum of squares, to avoid division by zero.
    public let epsilon: Float
    /// The L2 penalty: `weightDecay · p` is added to each gradient before the update.
    public let weightDecay: Float
    /// Clipping applied to the gradients (in place) before each update, if any.
    public var gradientClipping: GradientClipping?
    /// The number of `step` calls so far.
    public private(set) var iterations = 0
    private let slots: OptimizerSlots

    /// The slot that holds each parameter's sum of squared gradients.
    public static let sumOfSquaresSlot = "sumOfSquares"

    /// An Adagrad optimizer with PyTorch's defaults.
    public init(learningRate: Float = 0.01, initialAccumulator: Float = 0, epsilon: Float = 1e-10,
                weightDecay: Float = 0, gradientClipping: GradientClipping? = nil) {
        precondition(learningRate >= 0, "Adagrad: learningRate must not be negative, got \(learningRate)")
        precondition(initialAccumulator >= 0, "Adagrad: initialAccumulator must not be negative, got \(initialAccumulator)")
        precondition(epsilon >= 0, "Adagrad: epsilon must not be negative, got \(epsilon)")
        precondition(weightDecay >= 0, "Adagrad: weightDecay must not be negative, got \(weightDecay)")
        self.learningRate = learningRate
        self.initialAccumulator = initialAccumulator
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.gradientClipping = gradientClipping
        slots = OptimizerSlots(optimizer: "Adagrad", slotNames: [Self.sumOfSquaresSlot],
                               initialValue: initialAccumulator)
    }

    /// Clips the gradients if asked, then updates every parameter that has a gradient.
    public func step(_ parameters: [Parameter]) {
        gradientClipping?.apply(to: parameters)
        iterations += 1
        for parameter in parameters {
            guard let gradient = parameter.gradientForUpdate(by: "Adagrad") else { continue }
            let sum = slots.slots(for: parameter).buffers[0]
            update(parameter.tensor.pointer, gradient.pointer, sum.pointer, count: gradient.count)
            parameter.tensor.storage.bumpVersion()
        }
    }

    /// One fused pass over a parameter: `sum += g²; p -= lr · g / (sqrt(sum) + ε)`.
    private func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                        _ sum: UnsafeMutablePointer<Float>, count: Int) {
        let lr = learningRate, wd = weightDecay, eps = epsilon
        if !OptimizerKernels.useReference {
            OptimizerKernels.run(count: count) { start, end in strata_adagrad_update(p, g, sum, start, end, lr, wd, eps) }
            return
        }
        typealias L = EightLaneLoop
        L.run(count: count) { i, lanes in
            let parameter = L.load(p, i, lanes)
            let gradient = L.load(g, i, lanes) + wd * parameter
            let total = L.load(sum, i, lanes) + gradient * gradient
            L.store(total, sum, i, lanes)
            L.store(parameter - lr * gradient / (total.squareRoot() + eps), p, i, lanes)
        }
    }

    /// The sums of squares (`"sumOfSquares/<name>"`), the learning rate and the iteration count.
    public func stateDictionary() -> [String: Tensor] {
        slots.stateDictionary(learningRate: learningRate, iterations: iterations)
    }

    /// Restores `stateDictionary()` output; throws `OptimizerStateError` naming a bad or missing entry.
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        (learningRate, iterations) = try slots.load(state)
    }
}
