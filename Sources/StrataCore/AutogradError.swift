/// A misuse of automatic differentiation that `backward()` refuses, with PyTorch's wording where it has one.
public enum AutogradError: Error, Equatable, CustomStringConvertible {
    /// `backward()` reached the node of `op`, which an earlier `backward()` already used and released.
    case graphReleased(op: String)
    /// A tensor of `shape` that `op` saved for its gradient was changed in place afterwards: its storage
    /// is at `version`, the op saved it at `expected`.
    case savedTensorModified(op: String, shape: [Int], version: Int, expected: Int)
    /// `backward()` on a tensor that does not require gradients (nothing was recorded).
    case doesNotRequireGrad(shape: [Int])
    /// `backward()` without `gradient:` on a tensor that is not a scalar.
    case nonScalarWithoutGradient(shape: [Int])
    /// `backward(gradient:)` with a gradient whose shape is not the tensor's.
    case gradientShapeMismatch(gradient: [Int], tensor: [Int])

    /// The message, naming the op and shapes at fault and what to do instead.
    public var description: String {
        switch self {
        case .graphReleased(let op):
            return "Trying to backward through the graph a second time (or through part of a graph an earlier "
                + "backward() released): the tensors saved for the gradient of \(op) were already freed. "
                + "Pass retainGraph: true to the first backward() if you need to backward through the graph again."
        case .savedTensorModified(let op, let shape, let version, let expected):
            return "One of the tensors needed for gradient computation has been modified by an in-place operation: "
                + "a tensor of shape \(shape.shapeText) needed for the gradient of \(op) was modified in place: "
                + "its version is \(version), expected \(expected). Change a copy() instead, or run the "
                + "forward pass again after the change."
        case .doesNotRequireGrad(let shape):
            return "backward(): the tensor of shape \(shape.shapeText) does not require gradients and has no "
                + "recorded op (was it computed inside noGrad, or from tensors without requiresGrad?)"
        case .nonScalarWithoutGradient(let shape):
            return "backward(): gradients can be implicitly created only for a scalar; the tensor has shape "
                + "\(shape.shapeText): pass gradient:"
        case .gradientShapeMismatch(let gradient, let tensor):
            return "backward(gradient:): the gradient has shape \(gradient.shapeText) but the tensor has shape "
                + "\(tensor.shapeText)"
        }
    }
}
