/// A tensor an op keeps for its backward pass, with the version its storage had when the op kept it.
struct SavedTensor {
    /// The kept tensor (a detached view or an internal buffer).
    let tensor: Tensor
    /// `tensor.storage.version` when it was saved.
    let version: Int
}

/// One recorded operation on the tape: the tensors it read, the tensors its gradient needs, and the
/// function that maps the gradient of its output to the gradients of its inputs.
///
/// `backward()` releases a node once it has used it (unless asked to retain the graph): the closure,
/// the saved tensors and the links to the inputs go, the op's name stays, so that a second pass through
/// it is refused with a clear error instead of silently giving nothing.
final class GradNode {
    /// The op's name, for error messages.
    let op: StaticString
    /// The tensors the op read, in the order `backward` returns their gradients (empty once released).
    private(set) var inputs: [Tensor]
    /// The tensors the backward closure reads, checked for changes in place before it runs.
    private var saved: [SavedTensor]
    /// Maps the gradient of the output to one gradient per input (nil where none is needed); nil once released.
    private var backward: ((Tensor) -> [Tensor?])?

    init(op: StaticString, inputs: [Tensor], saved: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.saved = saved.map { SavedTensor(tensor: $0, version: $0.storage.version) }
        self.backward = backward
    }

    /// Whether a backward pass already used and released this node.
    var isReleased: Bool { backward == nil }

    /// Throws if the node was released or a tensor it saved was changed in place since.
    func checkUsable() throws {
        guard !isReleased else { throw AutogradError.graphReleased(op: "\(op)") }
        for entry in saved where entry.tensor.storage.version != entry.version {
            throw AutogradError.savedTensorModified(op: "\(op)", shape: entry.tensor.shape,
                                                    version: entry.tensor.storage.version, expected: entry.version)
        }
    }

    /// The gradients of the inputs, given the gradient of the output (after `checkUsable()`).
    func gradients(_ gradOutput: Tensor) throws -> [Tensor?] {
        try checkUsable()
        return backward!(gradOutput)
    }

    /// Frees the closure, the saved tensors and the links to the inputs; keeps the op's name.
    func release() {
        backward = nil
        saved = []
        GradNode.dismantle(&inputs)
    }

    deinit { GradNode.dismantle(&inputs) }

    /// Empties `tensors` without recursion: a chain of 100,000 ops would otherwise free each node from
    /// inside the deinit of the one after it and overflow the stack. Each tensor this code holds the
    /// only reference to hands its node's inputs to a work list before it goes.
    private static func dismantle(_ tensors: inout [Tensor]) {
        guard !tensors.isEmpty else { return }
        var pending: [Tensor] = []
        swap(&pending, &tensors)
        while var tensor = pending.popLast() {
            guard isKnownUniquelyReferenced(&tensor), var node = tensor.gradNode else { continue }
            tensor.gradNode = nil
            if isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: node.inputs)
                node.inputs = []
            }
        }
    }
}
