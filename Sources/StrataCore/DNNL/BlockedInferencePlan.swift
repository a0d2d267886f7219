import CDNNL
import Foundation

/// One batch size's execution of a `BlockedInferenceGraph`: the primitives in order, each activation
/// in the layout its producer chose, reorders only where a consumer needs another layout (the NCHW
/// input, the NCHW output), and buffers shared between activations whose lifetimes do not overlap.
///
/// Everything is made once: primitives, memory objects over the buffers, the argument lists, the
/// folded weights, and one scratchpad the steps share (every primitive takes the plan's scratchpad
/// rather than oneDNN's per-thread one, so the plan runs on whichever thread calls it). A run sets the
/// input and output pointers, refreshes weights whose sources changed, and executes the steps. Steps
/// with little work run on one OpenMP thread (`ThreadPolicy`), planned and executed alike; a plan made
/// for one thread (a shard of a batch split over threads) runs every step on the thread that runs it.
final class BlockedInferencePlan {
    /// An activation buffer: its layout, its size, and its memory object once the buffers exist.
    private struct Activation {
        var descriptor: dnnl_memory_desc_t
        let bytes: Int
        /// Owned buffers get a slot; the input and output are the caller's (set on every run).
        let isExternal: Bool

        init(descriptor: dnnl_memory_desc_t, isExternal: Bool = false) {
            self.descriptor = descriptor
            self.isExternal = isExternal
            bytes = withUnsafePointer(to: descriptor) { dnnl_memory_desc_get_size($0) }
        }
    }

    /// One primitive execution: arguments that are activations, and fixed ones (weights, bias).
    private struct Step {
        let primitive: DNNLPrimitive
        let activations: [(Int32, Int)]
        let fixed: [(Int32, dnnl_memory_t)]
        let singleThread: Bool
    }

    private var activations: [Activation] = []
    private var steps: [Step] = []
    /// The steps that copy a residual into a convolution's destination before its `sum` post-op.
    private var residualCopies: Set<Int> = []
    private var weights: [FoldedConvolutionWeights] = []
    private var fixedMemories: [dnnl_memory_t] = []
    private var memories: [dnnl_memory_t] = []
    private var slots: [UnsafeMutableRawPointer] = []
    private var scratchpad: UnsafeMutableRawPointer?
    private var arguments: [[dnnl_exec_arg_t]] = []
    private var inputActivation = 0, outputActivation = 0
    /// The activation of each graph value, and its conversions to other layouts.
    private var valueActivation: [Int: Int] = [:]
    private var conversions: [Int: [(dnnl_memory_desc_t, Int)]] = [:]
    /// The OpenMP threads the plan's primitives were made for.
    private let threads: Int

    /// The plan of `graph` for batches of `batch` examples, computing `output`, for `threads` OpenMP
    /// threads. With `threads` 1 the caller makes (and later runs) the plan with OpenMP limited to one
    /// thread (`omp_set_num_threads(1)`).
    init(_ graph: BlockedInferenceGraph, batch: Int, output: BlockedInferenceGraph.Value,
         threads: Int = ThreadPolicy.threadCount) {
        self.threads = threads
        inputActivation = add(Activation(descriptor: DNNLEngine.descriptor([batch] + graph.shapes[0], dnnl_nchw),
                                         isExternal: true))
        valueActivation[0] = inputActivation
        for index in Self.needed(graph, output).sorted() where index > 0 {
            valueActivation[index] = build(graph.operations[index], batch: batch)
        }
        let plain = DNNLEngine.descriptor([batch] + graph.shape(of: output), dnnl_nchw)
        outputActivation = add(Activation(descriptor: plain, isExternal: true))
        reorder(valueActivation[output.index]!, into: outputActivation)
        addResidualsInPlace()
        allocate()
    }

    deinit {
        for memory in memories + fixedMemories { dnnl_memory_destroy(memory) }
        for slot in slots { slot.deallocate() }
        scratchpad?.deallocate()
    }

    /// Runs the steps on `input` (N, C, H, W) and writes the output (NCHW) to `output`, on the
    /// process's stream.
    func run(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        DNNLEngine.shared.withStream { run(input: input, output: output, on: $0) }
    }

    /// Runs the steps on `stream`, which no other thread uses meanwhile.
    func run(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, on stream: dnnl_stream_t) {
        dnnl_memory_set_data_handle(memories[inputActivation], input)
        dnnl_memory_set_data_handle(memories[outputActivation], output)
        for folded in weights { folded.refresh(on: stream) }
        for (step, index) in zip(steps, steps.indices) {
            let single = step.singleThread && threads > 1
            if single { omp_set_num_threads(1) }
            let status = arguments[index].withUnsafeBufferPointer {
                dnnl_primitive_execute(step.primitive.primitive, stream, Int32($0.count), $0.baseAddress)
            }
            if single { omp_set_num_threads(Int32(threads)) }
            DNNLEngine.check(status, step.primitive.name, "execute")
        }
        DNNLEngine.check(dnnl_stream_wait(stream), "inference plan", "stream wait")
    }

    /// The indices of the operations `output` depends on.
    private static func needed(_ graph: BlockedInferenceGraph, _ output: BlockedInferenceGraph.Value) -> Set<Int> {
        var needed: Set<Int> = [], stack = [output.index]
        while let index = stack.popLast() {
            guard needed.insert(index).inserted else { continue }
            switch graph.operations[index] {
            case .input: break
            case .convolution(let c): stack += [c.input.index] + (c.residual.map { [$0.index] } ?? [])
            case .pooling(_, _, let x), .relu(let x): stack.append(x.index)
            case .concatenate(let values): stack += values.map(\.index)
            }
        }
        return needed
    }

    /// Adds the steps of one operation and returns the activation it produces.
    private func build(_ operation: BlockedInferenceGraph.Operation, batch: Int) -> Int {
        switch operation {
        case .input:
            return inputActivation
        case .convolution(let c):
            return buildConvolution(c, batch: batch)
        case .pooling(let kind, let g1, let x):
            let g = Pool2DGeometry(input: [batch] + Array(g1.inputShape.dropFirst()),
                                   kernel: (g1.kernelHeight, g1.kernelWidth), stride: (g1.strideY, g1.strideX),
                                   padding: (g1.padY, g1.padX), paddingEnd: (g1.padBottom, g1.padRight),
                                   op: "BlockedInferenceGraph.pool")
            let source = valueActivation[x.index]!
            let work = g.outputShape.reduce(1, *) * g.kernelHeight * g.kernelWidth
            var layout = activations[source].descriptor
            let primitive = planned(work) {
                DNNLInferencePrimitives.pooling(g, kind: kind, source: &layout)
            }
            let destination = add(Activation(descriptor: primitive.memoryDescriptor(argument: DNNL_ARG_DST).pointee))
            append(primitive, [(DNNL_ARG_SRC, source), (DNNL_ARG_DST, destination)], work: work)
            return destination
        case .relu(let x):
            let source = valueActivation[x.index]!
            let work = activations[source].bytes
            var layout = activations[source].descriptor
            let primitive = planned(work) { DNNLInferencePrimitives.relu(&layout) }
            let destination = add(Activation(descriptor: activations[source].descriptor))
            append(primitive, [(DNNL_ARG_SRC, source), (DNNL_ARG_DST, destination)], work: work)
            return destination
        case .concatenate(let values):
            let sources = values.map { valueActivation[$0.index]! }
            let work = sources.reduce(0) { $0 + activations[$1].bytes }
            let primitive = planned(work) {
                let name = "inference concatenation of \(sources.count)"
                return DNNLPrimitive(name, concatenating: sources.map { activations[$0].descriptor }, dimension: 1,
                                     attributes: DNNLAttributes(userScratchpad: true, name: name))
            }
            let destination = add(Activation(descriptor: primitive.memoryDescriptor(argument: DNNL_ARG_DST).pointee))
            let arguments = sources.enumerated().map { (Int32(DNNL_ARG_MULTIPLE_SRC) + Int32($0.offset), $0.element) }
            append(primitive, arguments + [(DNNL_ARG_DST, destination)], work: work)
            return destination
        }
    }

    /// A convolution with its folded weights; a residual is first copied into the destination, which
    /// the `sum` post-op then adds to.
    private func buildConvolution(_ c: BlockedInferenceGraph.Convolution, batch: Int) -> Int {
        let g = c.geometry.withBatch(batch)
        let hasBias = c.bias != nil || c.normalization != nil
        let attributes = DNNLAttributes(sum: c.residual != nil, relu: c.relu, userScratchpad: true,
                                        name: "inference convolution")
        let primitive = planned(g.multiplyAdds) {
            DNNLInferencePrimitives.convolution(g, hasBias: hasBias, attributes: attributes)
        }
        let source = converted(valueActivation[c.input.index]!, to: primitive.memoryDescriptor(argument: DNNL_ARG_SRC))
        let destination = add(Activation(descriptor: primitive.memoryDescriptor(argument: DNNL_ARG_DST).pointee))
        if let residual = c.residual {
            residualCopies.insert(steps.count)
            reorder(valueActivation[residual.index]!, into: destination)
        }
        let folded = FoldedConvolutionWeights(c.withGeometry(g), chosen: primitive.memoryDescriptor(argument: DNNL_ARG_WEIGHTS))
        weights.append(folded)
        var fixed = [(DNNL_ARG_WEIGHTS, fixedMemory(primitive.memoryDescriptor(argument: DNNL_ARG_WEIGHTS), folded.weight))]
        if let bias = folded.bias {
            fixed.append((DNNL_ARG_BIAS, fixedMemory(primitive.memoryDescriptor(argument: DNNL_ARG_BIAS), UnsafeMutableRawPointer(bias))))
        }
        steps.append(Step(primitive: primitive, activations: [(DNNL_ARG_SRC, source), (DNNL_ARG_DST, destination)],
                          fixed: fixed, singleThread: g.multiplyAdds < ThreadPolicy.parallelMultiplyAdds))
        return destination
    }

    /// `activation` in the layout `descriptor`: itself when it already is, else a reordered copy (made
    /// once per layout and shared by every consumer).
    private func converted(_ activation: Int, to descriptor: UnsafePointer<dnnl_memory_desc_t>) -> Int {
        var current = activations[activation].descriptor
        if dnnl_memory_desc_equal(&current, descriptor) != 0 { return activation }
        for (layout, copy) in conversions[activation] ?? [] {
            var layout = layout
            if dnnl_memory_desc_equal(&layout, descriptor) != 0 { return copy }
        }
        let copy = add(Activation(descriptor: descriptor.pointee))
        reorder(activation, into: copy)
        conversions[activation, default: []].append((descriptor.pointee, copy))
        return copy
    }

    /// A step that copies `source` into `destination`, converting the layout.
    private func reorder(_ source: Int, into destination: Int) {
        let work = activations[destination].bytes
        let primitive = planned(work) {
            var from = activations[source].descriptor, to = activations[destination].descriptor
            return DNNLPrimitive("inference reorder", reorderFrom: &from, to: &to,
                                 attributes: DNNLAttributes(userScratchpad: true, name: "inference reorder"))
        }
        append(primitive, [(DNNL_ARG_FROM, source), (DNNL_ARG_TO, destination)], work: work)
    }

    /// Makes a primitive (`body`) on one OpenMP thread when `work` is below `ThreadPolicy.parallelMultiplyAdds`;
    /// a one-thread plan is made with OpenMP already at one thread.
    private func planned<T>(_ work: Int, _ body: () -> T) -> T {
        threads > 1 ? ThreadPolicy.forOneDNN(multiplyAdds: work, body) : body()
    }

    private func append(_ primitive: DNNLPrimitive, _ arguments: [(Int32, Int)], work: Int) {
        steps.append(Step(primitive: primitive, activations: arguments, fixed: [],
                          singleThread: work < ThreadPolicy.parallelMultiplyAdds))
    }

    private func add(_ activation: Activation) -> Int {
        activations.append(activation)
        return activations.count - 1
    }

    /// A memory object over a buffer the plan keeps for its lifetime.
    private func memory(_ descriptor: UnsafePointer<dnnl_memory_desc_t>, _ buffer: UnsafeMutableRawPointer?) -> dnnl_memory_t {
        var memory: dnnl_memory_t?
        DNNLEngine.check(dnnl_memory_create(&memory, descriptor, DNNLEngine.shared.engine, buffer), "inference plan", "memory")
        return memory!
    }

    /// A memory object over a weight or bias buffer, destroyed with the plan.
    private func fixedMemory(_ descriptor: UnsafePointer<dnnl_memory_desc_t>, _ buffer: UnsafeMutableRawPointer) -> dnnl_memory_t {
        let created = memory(descriptor, buffer)
        fixedMemories.append(created)
        return created
    }

    /// Drops the copy of a residual that nothing reads afterwards and is already in the destination's
    /// layout: the convolution then adds onto the residual's own buffer.
    private func addResidualsInPlace() {
        for copy in residualCopies.sorted(by: >) {
            let source = steps[copy].activations[0].1, destination = steps[copy].activations[1].1
            let readLater = steps[(copy + 1)...].contains { $0.activations.contains { $0.1 == source } }
            guard !readLater, !activations[source].isExternal,
                  Self.sameLayout(activations[source].descriptor, activations[destination].descriptor)
            else { continue }
            steps.remove(at: copy)
            steps = steps.map { step in
                Step(primitive: step.primitive, activations: step.activations.map { ($0.0, $0.1 == destination ? source : $0.1) },
                     fixed: step.fixed, singleThread: step.singleThread)
            }
        }
    }

    /// Whether two memory descriptors describe the same layout.
    private static func sameLayout(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
        var a = a, b = b
        return dnnl_memory_desc_equal(&a, &b) != 0
    }

    /// Gives each owned activation a buffer (slots reused once their last reader has run, best fit by
    /// size), then makes the memory objects and the argument lists.
    private func allocate() {
        var lastUse = [Int](repeating: -1, count: activations.count)
        for (index, step) in steps.enumerated() { for (_, a) in step.activations { lastUse[a] = index } }
        var slotOf = [Int](repeating: -1, count: activations.count), sizes: [Int] = [], free: [Int] = []
        for (index, step) in steps.enumerated() {
            for (_, a) in step.activations where slotOf[a] < 0 && !activations[a].isExternal {
                let bytes = activations[a].bytes
                let fitting = free.filter { sizes[$0] >= bytes }.min { sizes[$0] < sizes[$1] }
                    ?? free.max { sizes[$0] < sizes[$1] }
                if let slot = fitting {
                    free.removeAll { $0 == slot }
                    sizes[slot] = max(sizes[slot], bytes)
                    slotOf[a] = slot
                } else {
                    sizes.append(bytes)
                    slotOf[a] = sizes.count - 1
                }
            }
            for (_, a) in step.activations where lastUse[a] == index && slotOf[a] >= 0 && !free.contains(slotOf[a]) {
                free.append(slotOf[a])
            }
        }
        slots = sizes.map { UnsafeMutableRawPointer.allocate(byteCount: max($0, 64), alignment: 64) }
        memories = activations.indices.map { a in
            var layout = activations[a].descriptor
            return memory(&layout, slotOf[a] >= 0 ? slots[slotOf[a]] : nil)
        }
        let scratchpadBytes = steps.map(\.primitive.scratchpadBytes).max() ?? 0
        if scratchpadBytes > 0 { scratchpad = .allocate(byteCount: scratchpadBytes, alignment: 64) }
        arguments = steps.map { step in
            var list = step.activations.map { dnnl_exec_arg_t(arg: $0.0, memory: memories[$0.1]) }
                + step.fixed.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1) }
            if let scratchpad, step.primitive.scratchpadBytes > 0 {
                let memory = fixedMemory(step.primitive.memoryDescriptor(argument: DNNL_ARG_SCRATCHPAD), scratchpad)
                list.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory))
            }
            return list
        }
    }
}
