/// One recorded operation on the tape: the tensors it read and the function that maps the gradient
/// of its output to the gradients of those inputs.
final class GradNode {
    /// The op's name, for error messages.
    let op: StaticString
    /// The tensors the op read, in the order `backward` returns their gradients.
    let inputs: [Tensor]
    /// Maps the gradient of the output to one gradient per input (nil where none is needed).
    let backward: (Tensor) -> [Tensor?]

    init(op: StaticString, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether operations are recorded for automatic differentiation.
public enum GradMode {
    /// True unless inside `noGrad { … }` (or inside `backward()`).
    public nonisolated(unsafe) static var isEnabled = true
}

/// Runs `body` without recording operations on the tape: for inference and parameter updates.
@discardableResult
public func noGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = previous }
    return try body()
}

extension Tensor {
    /// Whether an op on these inputs must be recorded (grad mode on and some input requires grad).
    @inline(__always)
    static func needsGrad(_ a: Tensor) -> Bool { GradMode.isEnabled && a.requiresGrad }

    @inline(__always)
    static func needsGrad(_ a: Tensor, _ b: Tensor) -> Bool {
        GradMode.isEnabled && (a.requiresGrad || b.requiresGrad)
    }

    @inline(__always)
    static func needsGrad(_ tensors: [Tensor]) -> Bool {
        GradMode.isEnabled && tensors.contains { $0.requiresGrad }
    }

    /// Marks this tensor as the output of `op` on `inputs`, with the rule for its gradients.
    ///
    /// The closure must not capture `self` (that would keep the graph alive in a cycle); capture
    /// `detached()` views of what it needs instead.
    func record(_ op: StaticString, _ inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        requiresGrad = true
        gradNode = GradNode(op: op, inputs: inputs, backward: backward)
    }

    /// Computes the gradient of this scalar with respect to every tensor it was computed from that
    /// requires gradients, and adds it to their `grad`.
    ///
    /// Gradients of a tensor used several times are summed. The order is found without recursion, so
    /// graphs of any depth work. The graph is released as it is walked: call `backward()` once per
    /// forward pass.
    public func backward(gradient seed: Tensor? = nil) {
        precondition(requiresGrad, "backward(): the tensor does not require gradients (nothing recorded)")
        if seed == nil {
            precondition(count == 1, "backward(): needs a scalar, got shape \(shape); pass `gradient:`")
        } else {
            precondition(seed!.shape == shape, "backward(): gradient shape \(seed!.shape) != tensor shape \(shape)")
        }
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [
            ObjectIdentifier(self): seed ?? Tensor(shape: shape, storage: TensorStorage(count: count, repeating: 1)),
        ]
        var storagesGivenToLeaves = Set<ObjectIdentifier>()
        noGrad {
            for tensor in order.reversed() {
                guard let gradient = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let node = tensor.gradNode else {
                    tensor.accumulateLeafGradient(gradient, storagesGivenToLeaves: &storagesGivenToLeaves)
                    continue
                }
                tensor.gradNode = nil  // frees what the op saved as soon as it is used
                let inputGradients = node.backward(gradient)
                precondition(inputGradients.count == node.inputs.count,
                             "backward of \(node.op): \(inputGradients.count) gradients for \(node.inputs.count) inputs")
                for (input, inputGradient) in zip(node.inputs, inputGradients) {
                    guard input.requiresGrad, let inputGradient else { continue }
                    precondition(inputGradient.shape == input.shape,
                                 "backward of \(node.op): gradient shape \(inputGradient.shape) != input shape \(input.shape)")
                    let key = ObjectIdentifier(input)
                    if let existing = pending[key] {
                        pending[key] = existing + inputGradient
                    } else {
                        pending[key] = inputGradient
                    }
                }
            }
        }
    }

    /// Tensors reachable from this one through recorded ops, inputs before the ops that used them.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(tensor: Tensor, expanded: Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.gradNode?.inputs ?? [] where input.requiresGrad {
                if !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
            }
        }
        return order
    }

    private func accumulateLeafGradient(_ gradient: Tensor, storagesGivenToLeaves: inout Set<ObjectIdentifier>) {
        if let grad {
            grad.addInPlace(gradient)
            return
        }
        // Give each leaf a dense buffer of its own, so in-place updates of one gradient never touch another.
        var own = gradient.contiguousStorageView()
        if !storagesGivenToLeaves.insert(ObjectIdentifier(own.storage)).inserted || own.storage.count != own.count {
            own = own.copy()
            storagesGivenToLeaves.insert(ObjectIdentifier(own.storage))
        }
        grad = own
    }

    /// Sets `grad` to nil (call before each backward pass, or let the optimizer do it).
    public func zeroGrad() { grad = nil }

    /// A dense copy with its own storage, not recorded on the tape.
    public func copy() -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        if isContiguous {
            result.pointer.update(from: pointer, count: count)
        } else {
            StridedCopy.copy(self, into: result.pointer)
        }
        return result
    }
}
