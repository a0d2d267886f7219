import Foundation
import CStrataKernels
import StrataCore

/// Adam (adaptive moment estimation) with optional AMSGrad, with the update rule and defaults of
/// PyTorch's `torch.optim.Adam`.
///
/// Each step, with `g = grad + weightDecay·p` (L2 penalty; `AdamW` decouples it instead) and the
/// parameter's own step count `t`:
///
///     m = β1·m + (1 − β1)·g            v = β2·v + (1 − β2)·g²        (v̂max = max(v̂max, v) with AMSGrad)
///     p -= lr / (1 − β1^t) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
///
/// so ε is added to the bias-corrected root, as PyTorch does. Defaults are PyTorch's: lr 1e-3,
/// β = (0.9, 0.999), ε = 1e-8 (Keras uses ε = 1e-7 added to the uncorrected root, which differs early on).
/// The step count is kept per parameter, as in PyTorch, so a parameter that first gets a gradient late
/// is bias-corrected from its own first update; it equals `iterations` when every step updates it.
///
/// ```swift
/// let optimizer = Adam(learningRate: 1e-3)
/// try loss.backward()
/// optimizer.step(model.parameters)
/// ```
public class Adam: Optimizer {
    /// The step size used by the next `step`.
    public var learningRate: Float
    /// The decay of the running mean of gradients (first moment).
    public let beta1: Float
    /// The decay of the running mean of squared gradients (second moment).
    public let beta2: Float
    /// Added to the bias-corrected root of the second moment, to avoid division by zero.
    public let epsilon: Float
    /// The weight decay: an L2 penalty added to the gradient, or decoupled when `decoupledWeightDecay`.
    public let weightDecay: Float
    /// Whether the denominator uses the largest second moment seen so far (AMSGrad).
    public let amsgrad: Bool
    /// Whether weight decay shrinks the parameter directly, `p *= 1 − lr·wd`, before the update (AdamW).
    public let decoupledWeightDecay: Bool
    /// Clipping applied to the gradients (in place) before each update, if any.
    public var gradientClipping: GradientClipping?
    /// The number of `step` calls so far.
    public private(set) var iterations = 0
    private let slots: OptimizerSlots

    /// The slot that holds each parameter's running mean of gradients.
    public static let firstMomentSlot = "firstMoment"
    /// The slot that holds each parameter's running mean of squared gradients.
    public static let secondMomentSlot = "secondMoment"
    /// The slot that holds each parameter's largest second moment so far (AMSGrad only).
    public static let maxSecondMomentSlot = "maxSecondMoment"

    /// An Adam optimizer with PyTorch's defaults; `decoupledWeightDecay: true` makes it AdamW.
    public convenience init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false,
                            decoupledWeightDecay: Bool = false, gradientClipping: GradientClipping? = nil) {
        self.init(name: "Adam", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                  weightDecay: weightDecay, amsgrad: amsgrad, decoupledWeightDecay: decoupledWeightDecay,
                  gradientClipping: gradientClipping)
    }

    /// The designated initializer; `name` is the type name used in messages (`Adam` or `AdamW`).
    init(name: String, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float,
         amsgrad: Bool, decoupledWeightDecay: Bool, gradientClipping: GradientClipping?) {
        precondition(learningRate >= 0, "\(name): learningRate must not be negative, got \(learningRate)")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2),
                     "\(name): betas must be in [0, 1), got \(beta1), \(beta2)")
        precondition(epsilon >= 0, "\(name): epsilon must not be negative, got \(epsilon)")
        precondition(weightDecay >= 0, "\(name): weightDecay must not be negative, got \(weightDecay)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.decoupledWeightDecay = decoupledWeightDecay
        self.gradientClipping = gradientClipping
        let slotNames = [Self.firstMomentSlot, Self.secondMomentSlot] + (amsgrad ? [Self.maxSecondMomentSlot] : [])
        slots = OptimizerSlots(optimizer: name, slotNames: slotNames, countsSteps: true)
    }

    /// Clips the gradients if asked, then updates every parameter that has a gradient.
    public func step(_ parameters: [Parameter]) {
        gradientClipping?.apply(to: parameters)
        iterations += 1
        for parameter in parameters {
            guard let gradient = parameter.gradientForUpdate(by: slots.optimizer) else { continue }
            let state = slots.slots(for: parameter)
            state.step += 1
            update(parameter.tensor.pointer, gradient.pointer, state.buffers, step: state.step, count: gradient.count)
            parameter.tensor.storage.bumpVersion()
        }
    }

    /// One fused pass over a parameter: weight decay, both moments, AMSGrad's maximum and the update;
    /// in C (`strata_adam_update`), or in Swift when `OptimizerKernels.useReference`.
    private func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ buffers: [Tensor],
                        step: Int, count: Int) {
        // Scalars are formed in Double and rounded once, as PyTorch does with Python floats.
        let lr = Double(learningRate), wd = Double(weightDecay)
        let b1 = Double(beta1), b2 = Double(beta2), t = Double(step)
        let stepSize = Float(lr / (1 - pow(b1, t)))
        let correction2Root = Float((1 - pow(b2, t)).squareRoot())
        let shrink = Float(decoupledWeightDecay ? 1 - lr * wd : 1)
        let l2 = decoupledWeightDecay ? 0 : weightDecay
        let beta2 = beta2, oneMinusBeta1 = Float(1 - b1), oneMinusBeta2 = Float(1 - b2), eps = epsilon
        let m = buffers[0].pointer, v = buffers[1].pointer
        let vMax = amsgrad ? buffers[2].pointer : nil
        if !OptimizerKernels.useReference {
            var scalars = strata_adam_scalars(step_size: stepSize, correction2_root: correction2Root, shrink: shrink,
                                              l2: l2, beta2: beta2, one_minus_beta1: oneMinusBeta1,
                                              one_minus_beta2: oneMinusBeta2, epsilon: eps)
            OptimizerKernels.run(count: count) { start, end in
                strata_adam_update(p, g, m, v, vMax, start, end, &scalars)
            }
            return
        }
        typealias L = EightLaneLoop
        L.run(count: count) { i, lanes in
            let parameter = L.load(p, i, lanes)
            let gradient = L.load(g, i, lanes) + l2 * parameter
            let oldMean = L.load(m, i, lanes)
            let mean = oldMean + oneMinusBeta1 * (gradient - oldMean)
            let square = L.load(v, i, lanes) * beta2 + oneMinusBeta2 * gradient * gradient
            L.store(mean, m, i, lanes)
            L.store(square, v, i, lanes)
            var second = square
            if let vMax {
                second = pointwiseMax(L.load(vMax, i, lanes), square)
                L.store(second, vMax, i, lanes)
            }
            let denominator = second.squareRoot() / correction2Root + eps
            L.store(parameter * shrink - stepSize * mean / denominator, p, i, lanes)
        }
    }

    /// The moments (`"firstMoment/<name>"`, …), per-parameter step counts (`"step/<name>"`), the
    /// learning rate and the iteration count.
    public func stateDictionary() -> [String: Tensor] {
        slots.stateDictionary(learningRate: learningRate, iterations: iterations)
    }

    /// Restores `stateDictionary()` output; throws `OptimizerStateError` naming a bad or missing entry.
    public func loadStateDictionary(_ state: [String: Tensor]) throws {
        (learningRate, iterations) = try slots.load(state)
    }
}
