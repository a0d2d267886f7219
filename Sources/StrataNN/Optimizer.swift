import StrataCore

/// Updates parameters from their gradients; holds per-parameter state (momentum, moments) keyed by
/// parameter name.
///
/// ```swift
/// let optimizer = Adam(learningRate: 1e-3)
/// loss.backward()
/// optimizer.step(model.parameters)
/// model.parameters.zeroGradients()
/// ```
public protocol Optimizer: AnyObject {
    /// The step size used by the next `step` (schedules and callbacks change it between steps).
    var learningRate: Float { get set }
    /// Clipping applied to the gradients before each update, if any.
    var gradientClipping: GradientClipping? { get set }
    /// The number of updates done so far.
    var iterations: Int { get }
    /// Applies one update to every parameter that has a gradient; parameters without one are skipped.
    func step(_ parameters: [Parameter])
    /// The optimizer's state as named tensors (for checkpoints): moments keyed `"<slot>/<parameter name>"`,
    /// plus hyper-parameters and the iteration count as one-element tensors.
    func stateDictionary() -> [String: Tensor]
    /// Restores state written by `stateDictionary()`; throws naming the entry that is missing or misshaped.
    func loadStateDictionary(_ state: [String: Tensor]) throws
}

/// How gradients are limited before an update.
public enum GradientClipping: Equatable, Sendable {
    /// Scale all gradients together so that their global L2 norm is at most this value.
    case norm(Float)
    /// Limit each gradient element to `[-value, value]`.
    case value(Float)
}
