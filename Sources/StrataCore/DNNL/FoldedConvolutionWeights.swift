import CDNNL
import Foundation

/// A convolution's weight and bias for inference, with a following batch normalization folded in,
/// kept in the layout the convolution primitive chose and refreshed only when a source changes.
///
/// Folding: with scale[o] = gamma[o] / √(variance[o] + ε), the weight (O, C/groups, KH, KW) becomes
/// weight[o, …] · scale[o] and the bias (O) becomes (bias[o] − mean[o]) · scale[o] + beta[o]. A source
/// changed when its storage or that storage's version differs from the last fold (optimizers, weight
/// loads and checkpoints bump the version when they write in place).
final class FoldedConvolutionWeights {
    /// The folded weight in the primitive's layout (owned, 64-byte aligned).
    let weight: UnsafeMutableRawPointer
    /// The folded bias (O), or nil when the convolution has neither bias nor normalization.
    let bias: UnsafeMutablePointer<Float>?
    private let convolution: BlockedInferenceGraph.Convolution
    private let plain: UnsafeMutablePointer<Float>
    private let plainMemory: dnnl_memory_t, weightMemory: dnnl_memory_t
    private let reorder: DNNLPrimitive?
    /// The reorder's scratchpad (user scratchpad mode, so any thread may run it), when it needs one.
    private let scratchpad: (buffer: UnsafeMutableRawPointer, memory: dnnl_memory_t)?
    private var folded: [(ObjectIdentifier, Int)] = []

    /// Storage for the weights of `convolution` in the layout `chosen` (the primitive's weight descriptor).
    init(_ convolution: BlockedInferenceGraph.Convolution, chosen: UnsafePointer<dnnl_memory_desc_t>) {
        self.convolution = convolution
        let g = convolution.geometry
        let count = g.weightShape.reduce(1, *)
        plain = .allocate(capacity: count)
        let bytes = dnnl_memory_desc_get_size(chosen)
        weight = .allocate(byteCount: max(bytes, 4), alignment: 64)
        bias = convolution.bias != nil || convolution.normalization != nil ? .allocate(capacity: g.outChannels) : nil
        var plainDescriptor = DNNLConvolution.plainDescriptors(g).weight
        let engine = DNNLEngine.shared.engine
        var memory: dnnl_memory_t?
        DNNLEngine.check(dnnl_memory_create(&memory, &plainDescriptor, engine, plain), "folded weight", "memory")
        plainMemory = memory!
        DNNLEngine.check(dnnl_memory_create(&memory, chosen, engine, weight), "folded weight", "memory")
        weightMemory = memory!
        let name = "reorder folded weight \(g.weightShape.shapeText)"
        let created = DNNLPrimitive(name, reorderFrom: &plainDescriptor, to: chosen,
                                    attributes: DNNLAttributes(userScratchpad: true, name: name))
        reorder = created
        if created.scratchpadBytes > 0 {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: created.scratchpadBytes, alignment: 64)
            DNNLEngine.check(dnnl_memory_create(&memory, created.memoryDescriptor(argument: DNNL_ARG_SCRATCHPAD), engine,
                                                buffer), name, "scratchpad memory")
            scratchpad = (buffer, memory!)
        } else {
            scratchpad = nil
        }
    }

    deinit {
        dnnl_memory_destroy(plainMemory)
        dnnl_memory_destroy(weightMemory)
        if let scratchpad {
            dnnl_memory_destroy(scratchpad.memory)
            scratchpad.buffer.deallocate()
        }
        plain.deallocate()
        weight.deallocate()
        bias?.deallocate()
    }

    /// The tensors the folded values derive from.
    private var sources: [Tensor] {
        var tensors = [convolution.weight]
        if let bias = convolution.bias { tensors.append(bias) }
        if let n = convolution.normalization { tensors += [n.gamma, n.beta, n.mean, n.variance] }
        return tensors
    }

    /// Folds and reorders the weights again when a source changed since the last time; runs on `stream`
    /// (the caller holds the engine's lock).
    func refresh(on stream: dnnl_stream_t) {
        let tensors = sources
        let current = tensors.map { (ObjectIdentifier($0.storage), $0.storage.version) }
        if current.count == folded.count && zip(current, folded).allSatisfy({ $0.0 == $1.0 && $0.1 == $1.1 }) { return }
        fold()
        if let reorder {
            var arguments = [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: plainMemory),
                             dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: weightMemory)]
            if let scratchpad { arguments.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: scratchpad.memory)) }
            DNNLEngine.check(dnnl_primitive_execute(reorder.primitive, stream, Int32(arguments.count), &arguments),
                             reorder.name, "execute")
        }
        folded = current
    }

    /// Writes the folded weight (plain layout) into `plain` and the folded bias into `bias`.
    private func fold() {
        let g = convolution.geometry
        let perFilter = g.weightShape.dropFirst().reduce(1, *)
        let source = convolution.weight.contiguousStorageView()
        let shift = convolution.bias?.contiguousStorageView()
        guard let normalization = convolution.normalization else {
            plain.update(from: source.pointer, count: g.outChannels * perFilter)
            if let bias, let shift { bias.update(from: shift.pointer, count: g.outChannels) }
            return
        }
        let gamma = normalization.gamma.contiguousStorageView(), beta = normalization.beta.contiguousStorageView()
        let mean = normalization.mean.contiguousStorageView(), variance = normalization.variance.contiguousStorageView()
        for o in 0..<g.outChannels {
            let scale = gamma.pointer[o] / (variance.pointer[o] + normalization.epsilon).squareRoot()
            for i in 0..<perFilter { plain[o * perFilter + i] = source.pointer[o * perFilter + i] * scale }
            let before = shift.map { $0.pointer[o] } ?? 0
            bias![o] = (before - mean.pointer[o]) * scale + beta.pointer[o]
        }
    }
}
