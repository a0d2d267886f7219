import StrataCore

/// Updates parameters from their gradients; holds per-parameter state (momentum, moments) keyed by
/// parameter name.
///
/// ```swift
/// let optimizer = Adam(learningRate: 1e-3)
/// try loss.backward()
/// optimizer.step(model.parameters)
/// model.parameters.zeroGradients()
/// ```
///
/// The optimizers (`SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`) follow PyTorch's update rules and
/// defaults and are tested against PyTorch. Each `step` updates the parameters in place, outside the
/// autograd tape, with one fused loop per parameter.
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

extension Parameter {
    /// The dense gradient to update this parameter with, or nil when it has none.
    ///
    /// Traps (naming `optimizer`, the parameter and the shapes) when the parameter is not dense or the
    /// gradient's shape differs; a strided gradient is replaced by a dense copy first.
    func gradientForUpdate(by optimizer: String) -> Tensor? {
        guard let gradient = tensor.grad else { return nil }
        precondition(tensor.isContiguous, "\(optimizer).step: parameter \(name) of shape \(tensor.shape) is not dense")
        precondition(gradient.shape == tensor.shape,
                     "\(optimizer).step: gradient of \(name) has shape \(gradient.shape), parameter has \(tensor.shape)")
        if gradient.isContiguous { return gradient }
        let dense = gradient.copy()
        tensor.grad = dense
        return dense
    }
}
