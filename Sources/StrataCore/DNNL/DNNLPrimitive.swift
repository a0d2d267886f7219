import CDNNL

/// A created oneDNN primitive and its primitive descriptor, destroyed together.
///
/// Build one from an operation descriptor (`dnnl_convolution_desc_t`, `dnnl_pooling_desc_t`, …);
/// backward primitives pass their forward primitive as `hint`. Instances live in a
/// `DNNLPrimitiveCache` and are reused for every call with the same shapes and parameters.
final class DNNLPrimitive: @unchecked Sendable {
    /// What the primitive computes, for error messages (e.g. "convolution backward data").
    let name: String
    /// The primitive descriptor (owned).
    let descriptor: dnnl_primitive_desc_t
    /// The primitive (owned).
    let primitive: dnnl_primitive_t

    /// Creates the primitive for `operation` (an initialised oneDNN operation descriptor), with
    /// `attributes` (post-ops) when given.
    init<Operation>(_ name: String, operation: Operation, attributes: DNNLAttributes? = nil,
                    hint: DNNLPrimitive? = nil) {
        self.name = name
        let engine = DNNLEngine.shared.engine
        var operation = operation
        var descriptor: dnnl_primitive_desc_t?
        let status = withUnsafePointer(to: &operation) { pointer in
            dnnl_primitive_desc_create(&descriptor, UnsafeRawPointer(pointer), attributes?.attributes, engine,
                                       hint?.descriptor)
        }
        DNNLEngine.check(status, name, "primitive descriptor")
        var primitive: dnnl_primitive_t?
        DNNLEngine.check(dnnl_primitive_create(&primitive, descriptor), name, "primitive")
        self.descriptor = descriptor!
        self.primitive = primitive!
    }

    /// Creates a reorder from memory laid out as `source` to memory laid out as `destination`, with
    /// `attributes` (a user scratchpad) when given.
    init(_ name: String, reorderFrom source: UnsafePointer<dnnl_memory_desc_t>,
         to destination: UnsafePointer<dnnl_memory_desc_t>, attributes: DNNLAttributes? = nil) {
        self.name = name
        let engine = DNNLEngine.shared.engine
        var descriptor: dnnl_primitive_desc_t?
        DNNLEngine.check(dnnl_reorder_primitive_desc_create(&descriptor, source, engine, destination, engine,
                                                            attributes?.attributes),
                         name, "primitive descriptor")
        var primitive: dnnl_primitive_t?
        DNNLEngine.check(dnnl_primitive_create(&primitive, descriptor), name, "primitive")
        self.descriptor = descriptor!
        self.primitive = primitive!
    }

    /// Creates a concatenation of `sources` along `dimension` into a layout oneDNN chooses, with
    /// `attributes` (a user scratchpad) when given.
    init(_ name: String, concatenating sources: [dnnl_memory_desc_t], dimension: Int,
         attributes: DNNLAttributes? = nil) {
        self.name = name
        let engine = DNNLEngine.shared.engine
        var descriptor: dnnl_primitive_desc_t?
        let status = sources.withUnsafeBufferPointer {
            dnnl_concat_primitive_desc_create(&descriptor, nil, Int32($0.count), Int32(dimension), $0.baseAddress,
                                              attributes?.attributes, engine)
        }
        DNNLEngine.check(status, name, "primitive descriptor")
        var primitive: dnnl_primitive_t?
        DNNLEngine.check(dnnl_primitive_create(&primitive, descriptor), name, "primitive")
        self.descriptor = descriptor!
        self.primitive = primitive!
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// The memory descriptor the primitive expects for an execution argument such as `DNNL_ARG_SRC`.
    func memoryDescriptor(argument: Int32) -> UnsafePointer<dnnl_memory_desc_t> {
        guard let descriptor = dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, argument) else {
            fatalError("oneDNN \(name): no memory descriptor for argument \(argument)")
        }
        return descriptor
    }

    /// The size in bytes of the scratchpad the caller passes when the primitive was made with a user
    /// scratchpad (`DNNLAttributes(userScratchpad:)`); 0 if it needs none.
    var scratchpadBytes: Int {
        guard let scratchpad = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0) else { return 0 }
        return dnnl_memory_desc_get_size(scratchpad)
    }

    /// The size in bytes of the workspace the forward pass leaves for the backward pass (0 if none).
    var workspaceBytes: Int {
        guard let workspace = dnnl_primitive_desc_query_md(descriptor, dnnl_query_workspace_md, 0) else { return 0 }
        return dnnl_memory_desc_get_size(workspace)
    }

    /// oneDNN's name for the implementation it chose (e.g. "jit:avx512_core", "gemm:jit").
    var implementation: String {
        var text: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &text) == dnnl_success,
              let text else { return "?" }
        return String(cString: text)
    }

    /// Runs the primitive on the process's stream with the given arguments and waits for it.
    func execute(_ arguments: [(Int32, UnsafeMutableRawPointer)]) {
        DNNLEngine.shared.execute(self, arguments)
    }
}
