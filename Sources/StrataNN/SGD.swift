import StrataCore

/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, with
/// the update rule and defaults of PyTorch's `torch.optim.SGD` (dampening 0).
///
/// With `d = grad + weightDecay·p`, each step does `buffer = momentum·buffer + d` (when momentum > 0),
/// then `p -= learningRate · u` where `u` is `d` (no momentum), `buffer`, or `d + momentum·buffer`
/// (Nesterov). The buffer starts at zero, so the first step's buffer is the gradient, as in PyTorch.
///
/// ```swift
/// let optimizer = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
/// try loss.backward()
/// optimizer.step(model.parameters)
/// ```
public final class SGD: Optimizer {
    /// The step size used by the next `step` (PyTorch's default is 1e-3; Keras's is 0.01).
    public var learningRate: Float
    /// The factor applied to the momentum buffer each step (0 turns momentum off).
    public let momentum: Float
    /// Whether the update looks ahead along the momentum buffer (Nesterov momentum).
    public let nesterov: Bool
    /// The L2 penalty: `weightDecay · p` is added to each gradient before the update.
    public let weightDecay: Float
    /// Clipping applied to the gradients (in place) before each update, if any.
    public var gradientClipping: GradientClipping?
    /// The number of `step` calls so far.
    public private(set) var iterations = 0
    private let slots: OptimizerSlots

    /// The slot that holds each parameter's momentum buffer.
    public static let momentumSlot = "momentum"

    /// An SGD optimizer; `nesterov` needs a positive `momentum`.
    public init(learningRate: Float = 1e-3, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
                gradientClipping: GradientClipping? = nil) {
        precondition(learningRate >= 0, "SGD: learningRate must not be negative, got \(learningRate)")
        precondition(momentum >= 0, "SGD: momentum must not be negative, got \(momentum)")
        precondition(weightDecay >= 0, "SGD: weightDecay must not be negative, got \(weightDecay)")
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.gradientClipping = gradientClipping
        slots = OptimizerSlots(optimizer: "SGD", slotNames: momentum > 0 ? [Self.momentumSlot] : [])
    }

    /// Clips the gradients if asked, then updates every parameter that has a gradient.
    public func step(_ parameters: [Parameter]) {
        gradientClipping?.apply(to: parameters)
        iterations += 1
        for parameter in parameters {
            guard let gradient = parameter.gradientForUpdate(by: "SGD") else { continue }
            if momentum > 0 {
                let buffer = slots.slots(for: parameter).buffers[0]
                updateWithMomentum(parameter.tensor.pointer, gradient.pointer, buffer.pointer, count: gradient.count)
            } else {
                update(parameter.tensor.pointer, gradient.pointer, count: gradient.count)
            }
            parameter.tensor.storage.bumpVersion()
        }
    }

    /// `p -= lr · (g + wd·p)`.
    private func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, count: Int) {
        let lr = learningRate, wd = weightDecay
        ThreadPolicy.parallelFor(count: count) { range in
            for i in range {
                let d = g[i] + wd * p[i]
                p[i] -= lr * d
            }
        }
    }

    /// `b = μ·b + d; p -= lr · (nesterov ? d + μ·b : b)` with `d = g + wd·p`.
    private func updateWithMomentum(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                                    _ b: UnsafeMutablePointer<Float>, count: Int) {
        let lr = learningRate, wd = weightDecay, mu = momentum, nesterov = nesterov
        ThreadPolicy.parallelFor(count: count) { range in
            for i in range {
                let d = g[i] + wd * p[i]
                let buffer = b[i] * mu + d
                b[i] = buffer
                p[i] -= lr * (nesterov ? d + mu * buffer : buffer)
            }
        }
    }

    /// The momentum buffers (`"momentum/<name>"`), the learning rate and the iteration count.
    public func stateDictionary() -> [String: Tensor] {
        slots.stateDictionary(learningRate: learningRate, iterations: iterations)
    }

    /// Restores `stateDictionary()` output; throws `OptimizerStateError` naming a bad or missing entry.
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        (learningRate, iterations) = try slots.load(state)
    }
}
