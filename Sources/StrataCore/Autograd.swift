extension Tensor {
    /// Whether an op on these inputs must be recorded (grad mode on and some input requires grad).
    @inline(__always)
    static func needsGrad(_ a: Tensor) -> Bool { a.requiresGrad && GradMode.isEnabled }

    @inline(__always)
    static func needsGrad(_ a: Tensor, _ b: Tensor) -> Bool {
        (a.requiresGrad || b.requiresGrad) && GradMode.isEnabled
    }

    @inline(__always)
    static func needsGrad(_ tensors: [Tensor]) -> Bool {
        tensors.contains { $0.requiresGrad } && GradMode.isEnabled
    }

    /// Marks this tensor as the output of `op` on `inputs`, with the rule for its gradients.
    ///
    /// The closure must not capture `self` or any input (that would keep the graph alive in a cycle, or
    /// past its release); capture `detached()` views of what it needs instead, and list in `saved` each
    /// one a caller could change in place (views of inputs, parameters and of the output), so that
    /// `backward()` refuses to use it once changed. Internal buffers nobody else can reach need not be listed.
    func record(_ op: StaticString, _ inputs: [Tensor], saving saved: [Tensor] = [],
                backward: @escaping (Tensor) -> [Tensor?]) {
        requiresGrad = true
        gradNode = GradNode(op: op, inputs: inputs, saved: saved, backward: backward)
    }

    /// The version of this tensor's storage: how many times its elements were changed in place.
    public var version: Int { storage.version }

    /// Computes the gradient of this scalar with respect to every tensor it was computed from that
    /// requires gradients, and adds it to their `grad`.
    ///
    /// Gradients of a tensor used several times are summed. The order is found without recursion, so
    /// graphs of any depth work. Each op's saved tensors are released as soon as its gradient is
    /// computed, so a second `backward()` through the same graph throws
    /// `AutogradError.graphReleased`; pass `retainGraph: true` to keep the graph for another pass
    /// (gradients then accumulate, as in PyTorch). Throws `AutogradError.savedTensorModified`, before
    /// any gradient changes, when a tensor an op saved for its gradient was changed in place since.
    ///
    /// `onLeafGradient` is called with each leaf (a parameter) as soon as its gradient for this pass is
    /// complete — while the rest of the graph is still being walked — so data-parallel training can start
    /// reducing it early.
    public func backward(gradient seed: Tensor? = nil, retainGraph: Bool = false,
                         onLeafGradient: ((Tensor) throws -> Void)? = nil) throws {
        guard requiresGrad else { throw AutogradError.doesNotRequireGrad(shape: shape) }
        if let seed {
            guard seed.shape == shape else { throw AutogradError.gradientShapeMismatch(gradient: seed.shape, tensor: shape) }
        } else if count != 1 {
            throw AutogradError.nonScalarWithoutGradient(shape: shape)
        }
        var order = try topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [
            ObjectIdentifier(self): seed ?? Tensor(shape: shape, storage: TensorStorage(count: count, repeating: 1)),
        ]
        // The caller's seed is never handed to a leaf as its `grad`: in-place updates must not reach it.
        var storagesGivenToLeaves: Set<ObjectIdentifier> = seed.map { [ObjectIdentifier($0.storage)] } ?? []
        try noGrad {
            for index in order.indices.reversed() {
                guard let tensor = order[index] else { continue }
                order[index] = nil  // once its users are done, a tensor nobody else holds is freed here
                guard let gradient = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let node = tensor.gradNode else {
                    tensor.accumulateLeafGradient(gradient, storagesGivenToLeaves: &storagesGivenToLeaves)
                    // A tensor appears once in the order, after every op that used it: its gradient is final.
                    try onLeafGradient?(tensor)
                    continue
                }
                let inputs = node.inputs
                let inputGradients = try node.gradients(gradient)
                if !retainGraph { node.release() }  // frees what the op saved as soon as it is used
                precondition(inputGradients.count == inputs.count,
                             "backward of \(node.op): \(inputGradients.count) gradients for \(inputs.count) inputs")
                for (input, inputGradient) in zip(inputs, inputGradients) {
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

    /// Tensors reachable from this one through recorded ops, inputs before the ops that used them;
    /// throws if one of those ops was released or saw a saved tensor change, before any work is done.
    private func topologicalOrder() throws -> [Tensor?] {
        var order: [Tensor?] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(tensor: Tensor, expanded: Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            guard let node = tensor.gradNode else { continue }
            try node.checkUsable()
            for input in node.inputs where input.requiresGrad {
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
