import StrataCore

/// The state one optimizer keeps for one parameter: a buffer per slot and, for optimizers that
/// bias-correct per parameter (Adam, AdamW), how many updates this parameter has had.
final class ParameterSlots {
    /// One buffer per slot, in the order of `OptimizerSlots.slotNames`, each shaped like the parameter.
    let buffers: [Tensor]
    /// The updates this parameter has had (PyTorch's per-parameter `step`).
    var step: Int

    init(buffers: [Tensor], step: Int) {
        self.buffers = buffers
        self.step = step
    }
}

/// The per-parameter state buffers ("slots", as Keras calls them) of an optimizer, keyed by parameter
/// name and created lazily on a parameter's first update; also writes and reads the state dictionary.
///
/// State dictionary format (the `Optimizer` protocol's): `"<slot>/<parameter name>"` holds a slot's
/// buffer, `"step/<parameter name>"` a per-parameter update count (only when `countsSteps`), and
/// `"learningRate"` and `"iterations"` are one-element tensors. Counts are stored as `Float`, exact
/// up to 2^24 (16.7 million) updates.
final class OptimizerSlots {
    /// The entry that holds the learning rate.
    static let learningRateKey = "learningRate"
    /// The entry that holds the number of `step` calls.
    static let iterationsKey = "iterations"
    /// The slot name of the per-parameter update count.
    static let stepSlot = "step"

    /// The optimizer's type name, used in error messages.
    let optimizer: String
    /// The slots every parameter gets, such as `["firstMoment", "secondMoment"]`.
    let slotNames: [String]
    /// The value new buffers start from (Adagrad's initial accumulator; 0 otherwise).
    let initialValue: Float
    /// Whether each parameter also keeps its own update count.
    let countsSteps: Bool
    private var byParameter: [String: ParameterSlots] = [:]

    init(optimizer: String, slotNames: [String], initialValue: Float = 0, countsSteps: Bool = false) {
        self.optimizer = optimizer
        self.slotNames = slotNames
        self.initialValue = initialValue
        self.countsSteps = countsSteps
    }

    /// The state of `parameter`, created on first use; traps when loaded state has another shape.
    func slots(for parameter: Parameter) -> ParameterSlots {
        let shape = parameter.tensor.shape
        if let existing = byParameter[parameter.name] {
            for (slot, buffer) in zip(slotNames, existing.buffers) where buffer.shape != shape {
                preconditionFailure("\(optimizer).step: state entry \"\(slot)/\(parameter.name)\" has shape "
                                    + "\(buffer.shape) but the parameter has shape \(shape) (state from another model?)")
            }
            return existing
        }
        let created = ParameterSlots(buffers: slotNames.map { _ in Tensor.full(shape, value: initialValue) }, step: 0)
        byParameter[parameter.name] = created
        return created
    }

    /// The state as named tensors (copies, so later updates do not change them).
    func stateDictionary(learningRate: Float, iterations: Int) -> [String: Tensor] {
        var state: [String: Tensor] = [
            Self.learningRateKey: Tensor(learningRate),
            Self.iterationsKey: Tensor(Float(iterations)),
        ]
        for (name, slots) in byParameter {
            for (slot, buffer) in zip(slotNames, slots.buffers) { state["\(slot)/\(name)"] = buffer.copy() }
            if countsSteps { state["\(Self.stepSlot)/\(name)"] = Tensor(Float(slots.step)) }
        }
        return state
    }

    /// Replaces the state with a copy of `state` after checking every entry; returns the learning rate
    /// and iteration count it holds. On error nothing changes.
    func load(_ state: [String: Tensor]) throws -> (learningRate: Float, iterations: Int) {
        let learningRate = try scalar(Self.learningRateKey, in: state)
        let iterations = try count(Self.iterationsKey, in: state)
        var buffers: [String: [Tensor?]] = [:]
        var steps: [String: Int] = [:]
        for key in state.keys.sorted() where key != Self.learningRateKey && key != Self.iterationsKey {
            guard let slash = key.firstIndex(of: "/") else { throw error(key, .unexpected) }
            let slot = String(key[..<slash]), name = String(key[key.index(after: slash)...])
            if let index = slotNames.firstIndex(of: slot) {
                buffers[name, default: Array(repeating: nil, count: slotNames.count)][index] = state[key]
            } else if countsSteps && slot == Self.stepSlot {
                steps[name] = try count(key, in: state)
            } else {
                throw error(key, .unexpected)
            }
        }
        var loaded: [String: ParameterSlots] = [:]
        for name in Set(buffers.keys).union(steps.keys).sorted() {
            let present = buffers[name] ?? Array(repeating: nil, count: slotNames.count)
            let witness = zip(slotNames, present).first { $0.1 != nil }.map { "\($0.0)/\(name)" }
                ?? "\(Self.stepSlot)/\(name)"
            var copies: [Tensor] = []
            for (slot, buffer) in zip(slotNames, present) {
                guard let buffer else {
                    throw error("\(slot)/\(name)", .missing(because: "the state has \"\(witness)\""))
                }
                if let first = copies.first, first.shape != buffer.shape {
                    throw error("\(slot)/\(name)", .inconsistentShape(actual: buffer.shape, other: witness,
                                                                     otherShape: first.shape))
                }
                copies.append(buffer.copy())
            }
            var step = 0
            if countsSteps {
                guard let count = steps[name] else {
                    throw error("\(Self.stepSlot)/\(name)", .missing(because: "the state has \"\(witness)\""))
                }
                step = count
            }
            loaded[name] = ParameterSlots(buffers: copies, step: step)
        }
        byParameter = loaded
        return (learningRate, iterations)
    }

    private func error(_ entry: String, _ problem: OptimizerStateError.Problem) -> OptimizerStateError {
        OptimizerStateError(optimizer: optimizer, entry: entry, problem: problem)
    }

    /// The finite value of the one-element entry `key`.
    private func scalar(_ key: String, in state: [String: Tensor]) throws -> Float {
        guard let tensor = state[key] else {
            throw error(key, .missing(because: "every optimizer state has it"))
        }
        guard tensor.count == 1 else { throw error(key, .misshaped(expected: [], actual: tensor.shape)) }
        let value = tensor.scalars[0]
        guard value.isFinite else { throw error(key, .invalidValue("\(value) is not finite")) }
        return value
    }

    /// The whole, non-negative value of the one-element entry `key`.
    private func count(_ key: String, in state: [String: Tensor]) throws -> Int {
        let value = try scalar(key, in: state)
        // Int(exactly:) is nil for fractions and for values beyond Int's range (1e30 would trap in Int(_:)).
        guard value >= 0, let count = Int(exactly: value) else {
            throw error(key, .invalidValue("\(value) is not a whole number of steps"))
        }
        return count
    }
}
