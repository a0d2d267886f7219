import CDNNL
import Foundation

/// A dense layer's affine map for inference, `max?(x·W + b)`, on oneDNN's inner-product primitive
/// with the weights packed once into the layout the primitive prefers.
///
/// `Tensor.linear` calls `dnnl_sgemm`, which packs the weight matrix again at every call and adds the
/// bias in a pass of its own; here the packed weights are kept and packed again only when the weight's
/// storage (or that storage's version) changes, and the bias and ReLU are the primitive's own. dense128's
/// two layers at batch 256 (784 → 128 → 10; C against libdnnl, two spinning threads): 0.236 ms against 0.283 ms.
/// One primitive per batch size; batch sizes whose primitives choose the same weight layout share
/// one packed copy.
///
/// ```swift
/// let layer = PackedInnerProduct(weight: kernel, bias: bias, relu: true)  // kernel (in, out)
/// let y = layer.run(x)   // == x.linear(weight: kernel, bias: bias, relu: true), within rounding
/// ```
public final class PackedInnerProduct: @unchecked Sendable {
    /// A packed copy of the weights in one layout, with the versions of its sources when packed.
    private final class Pack {
        var descriptor: dnnl_memory_desc_t
        let buffer: UnsafeMutableRawPointer
        /// The storage and version of the weight when last packed.
        var packedWeight: (ObjectIdentifier, Int)?

        init(_ descriptor: dnnl_memory_desc_t) {
            self.descriptor = descriptor
            buffer = .allocate(byteCount: max(dnnl_memory_desc_get_size(&self.descriptor), 4), alignment: 64)
        }

        deinit { buffer.deallocate() }
    }

    /// The primitive for one batch size and thread count, the packed weights it reads, and memory
    /// objects for its arguments whose data pointers are set at each run.
    private final class Entry {
        let primitive: DNNLPrimitive
        let pack: Pack
        let source: dnnl_memory_t, weights: dnnl_memory_t, bias: dnnl_memory_t, destination: dnnl_memory_t

        init(_ primitive: DNNLPrimitive, pack: Pack) {
            self.primitive = primitive
            self.pack = pack
            func memory(_ argument: Int32) -> dnnl_memory_t {
                var memory: dnnl_memory_t?
                DNNLEngine.check(dnnl_memory_create(&memory, primitive.memoryDescriptor(argument: argument),
                                                    DNNLEngine.shared.engine, nil), primitive.name, "memory")
                return memory!
            }
            source = memory(DNNL_ARG_SRC)
            weights = memory(DNNL_ARG_WEIGHTS)
            bias = memory(DNNL_ARG_BIAS)
            destination = memory(DNNL_ARG_DST)
            dnnl_memory_set_data_handle(weights, pack.buffer)
        }

        deinit { [source, weights, bias, destination].forEach { dnnl_memory_destroy($0) } }
    }

    /// Which primitive serves a run: its batch size and the OpenMP thread count it was made for
    /// (oneDNN splits its work at creation, so a primitive made for two threads wakes two).
    private struct Key: Hashable {
        let rows: Int, threads: Int32
    }

    /// Below this many multiply-adds the product runs on one thread whatever the wait policy: oneDNN's
    /// inner product splits even a tiny product over every thread (mlp-small's 28 × 28 × 28 at batch 1
    /// took 0.0106 ms on two spinning threads against 0.0063 ms on one), where `dnnl_sgemm` chose for itself.
    static let parallelMinimum = 1 << 16

    /// The weights `(in, out)`, as `Dense` holds its kernel.
    public let weight: Tensor
    /// The bias `(out)`, or nil.
    public let bias: Tensor?
    /// Whether max(·, 0) follows the affine map.
    public let relu: Bool
    private let inputs: Int, outputs: Int
    private var entries: [Key: Entry] = [:]
    private var packs: [Pack] = []
    private var lock = pthread_mutex_t()

    /// The affine map with `weight` `(in, out)` and `bias` `(out)`; ReLU after it when `relu`.
    public init(weight: Tensor, bias: Tensor?, relu: Bool) {
        precondition(weight.rank == 2, "PackedInnerProduct: weight must be (in, out), got \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[1]],
                         "PackedInnerProduct: bias \(bias.shape) does not match weight \(weight.shape)")
        }
        self.weight = weight
        self.bias = bias
        self.relu = relu
        inputs = weight.shape[0]
        outputs = weight.shape[1]
        pthread_mutex_init(&lock, nil)
    }

    /// `x·W + b` (then ReLU when `relu`) on the last axis of `input` `(…, in)` → `(…, out)`; no gradient.
    public func run(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1 && input.shape[input.rank - 1] == inputs,
                     "PackedInnerProduct: input \(input.shape) does not match weight \(weight.shape) (last axis must be \(inputs))")
        let rows = input.count / max(inputs, 1)
        let result = Tensor(uninitializedShape: Array(input.shape.dropLast()) + [outputs])
        if rows == 0 { return result }
        let source = input.contiguousStorageView()
        let biasView = bias?.contiguousStorageView()
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        ThreadPolicy.forOneDNN(multiplyAdds: rows * inputs * outputs, minimum: Self.parallelMinimum) {
            let entry = self.entry(rows: rows)
            refresh(entry.pack)
            dnnl_memory_set_data_handle(entry.source, source.pointer)
            dnnl_memory_set_data_handle(entry.destination, result.pointer)
            var arguments = [dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: entry.source),
                             dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: entry.weights),
                             dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: entry.destination)]
            if let biasView {
                dnnl_memory_set_data_handle(entry.bias, biasView.pointer)
                arguments.append(dnnl_exec_arg_t(arg: DNNL_ARG_BIAS, memory: entry.bias))
            }
            DNNLEngine.shared.withStream { stream in
                DNNLEngine.check(dnnl_primitive_execute(entry.primitive.primitive, stream, Int32(arguments.count), &arguments),
                                 entry.primitive.name, "execute")
                DNNLEngine.check(dnnl_stream_wait(stream), entry.primitive.name, "stream wait")
            }
        }
        withExtendedLifetime((source, biasView)) {}
        return result
    }

    /// The primitive for `rows` examples at the current OpenMP thread count (call it inside
    /// `ThreadPolicy.forOneDNN`), created on first use, with the pack of its weight layout.
    private func entry(rows: Int) -> Entry {
        let key = Key(rows: rows, threads: omp_get_max_threads())
        if let entry = entries[key] { return entry }
        if entries.count >= 16 { entries.removeAll() }  // shapes that change every call cannot grow it without bound
        let primitive = Self.primitive(rows: rows, inputs: inputs, outputs: outputs, hasBias: bias != nil, relu: relu)
        let chosen = primitive.memoryDescriptor(argument: DNNL_ARG_WEIGHTS)
        let pack = packs.first { dnnl_memory_desc_equal(&$0.descriptor, chosen) != 0 } ?? {
            let pack = Pack(chosen.pointee)
            packs.append(pack)
            return pack
        }()
        let entry = Entry(primitive, pack: pack)
        entries[key] = entry
        return entry
    }

    /// Packs the weight into `pack` again when it changed since it was last packed (its storage or that
    /// storage's version; the bias is read as it is at each run). Checking costs no allocation.
    private func refresh(_ pack: Pack) {
        let currentWeight = (ObjectIdentifier(self.weight.storage), self.weight.storage.version)
        if let packed = pack.packedWeight, packed == currentWeight { return }
        let weight = self.weight.contiguousStorageView()
        // The kernel (in, out) row-major is oneDNN's (out, in) weights in the `io` layout.
        var plain = DNNLEngine.descriptor([outputs, inputs], dnnl_io)
        let reorder = DNNLPrimitive("reorder dense weight \(weight.shape.shapeText)", reorderFrom: &plain, to: &pack.descriptor)
        withExtendedLifetime(weight) {
            reorder.execute([(DNNL_ARG_FROM, UnsafeMutableRawPointer(weight.pointer)), (DNNL_ARG_TO, pack.buffer)])
        }
        pack.packedWeight = currentWeight
    }

    /// A forward-inference inner product of `rows` × `inputs` → `rows` × `outputs` with plain source
    /// and destination, weights in the layout oneDNN prefers, and ReLU as a post-op when `relu`.
    private static func primitive(rows: Int, inputs: Int, outputs: Int, hasBias: Bool, relu: Bool) -> DNNLPrimitive {
        let name = "inference inner product \([rows, inputs].shapeText) · \([inputs, outputs].shapeText)"
        var source = DNNLEngine.descriptor([rows, inputs], dnnl_nc)
        var weights = DNNLEngine.descriptor([outputs, inputs], dnnl_format_tag_any)
        var biasDescriptor = DNNLEngine.descriptor([outputs], dnnl_x)
        var destination = DNNLEngine.descriptor([rows, outputs], dnnl_nc)
        var operation = dnnl_inner_product_desc_t()
        let status = withUnsafePointer(to: &biasDescriptor) { biasPointer in
            dnnl_inner_product_forward_desc_init(&operation, dnnl_forward_inference, &source, &weights,
                                                 hasBias ? biasPointer : nil, &destination)
        }
        DNNLEngine.check(status, name, "descriptor")
        let attributes = relu ? DNNLAttributes(sum: false, relu: true, name: name) : nil
        return DNNLPrimitive(name, operation: operation, attributes: attributes)
    }
}
