import CDNNL

/// 2-D max and average pooling on oneDNN's primitives over plain NCHW memory, cached per geometry.
///
/// Max pooling in training leaves a workspace (where each maximum came from) that its backward pass
/// reads; average pooling divides by KH·KW everywhere, counting the padding (PyTorch's default
/// `count_include_pad=True`, oneDNN's `pooling_avg_include_padding`). Small poolings run on one OpenMP
/// thread (`ThreadPolicy.forOneDNN`): waking a second one cost 10 µs a call, more than the whole
/// pooling of a batch-1 convnet (`ONEDNN_VERBOSE`, cnn at 2 threads: 12–15 µs against 2–5 µs).
enum DNNLPooling {
    /// The reduction over each window.
    enum Kind: Hashable {
        /// The largest value (padding never wins).
        case max
        /// The mean over KH·KW elements, padding counted as zeros.
        case average
    }

    private enum Pass: Hashable { case inference, training, backward }

    private struct Key: Hashable {
        let geometry: Pool2DGeometry
        let kind: Kind
        let pass: Pass
    }

    private static let cache = DNNLPrimitiveCache<Key, DNNLPrimitive>()

    /// output (N, C, OH, OW) = the pooled input (N, C, H, W). When `training`, returns the workspace the
    /// backward pass needs (max pooling only; nil otherwise).
    static func forward(_ geometry: Pool2DGeometry, kind: Kind, training: Bool, input: UnsafeMutablePointer<Float>,
                        output: UnsafeMutablePointer<Float>) -> TensorStorage? {
        ThreadPolicy.forOneDNN(multiplyAdds: work(geometry)) {
            forwardOnCurrentThreads(geometry, kind: kind, training: training, input: input, output: output)
        }
    }

    /// The work of one pass, for `ThreadPolicy`: every output element reads its window.
    private static func work(_ g: Pool2DGeometry) -> Int { g.outputShape.reduce(1, *) * g.kernelHeight * g.kernelWidth }

    private static func forwardOnCurrentThreads(_ geometry: Pool2DGeometry, kind: Kind, training: Bool,
                                                input: UnsafeMutablePointer<Float>,
                                                output: UnsafeMutablePointer<Float>) -> TensorStorage? {
        let primitive = primitive(geometry, kind, training ? .training : .inference)
        var arguments: [(Int32, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_SRC, UnsafeMutableRawPointer(input)),
            (DNNL_ARG_DST, UnsafeMutableRawPointer(output)),
        ]
        var workspace: TensorStorage?
        let workspaceBytes = primitive.workspaceBytes
        if workspaceBytes > 0 {
            let storage = TensorStorage(uninitializedCount: (workspaceBytes + 3) / 4)
            arguments.append((DNNL_ARG_WORKSPACE, UnsafeMutableRawPointer(storage.pointer)))
            workspace = storage
        }
        primitive.execute(arguments)
        return workspace
    }

    /// gradInput (N, C, H, W) from gradOutput (N, C, OH, OW); max pooling needs the forward workspace.
    static func backward(_ geometry: Pool2DGeometry, kind: Kind, gradOutput: UnsafeMutablePointer<Float>,
                         workspace: TensorStorage?, gradInput: UnsafeMutablePointer<Float>) {
        ThreadPolicy.forOneDNN(multiplyAdds: work(geometry)) {
            backwardOnCurrentThreads(geometry, kind: kind, gradOutput: gradOutput, workspace: workspace,
                                     gradInput: gradInput)
        }
    }

    private static func backwardOnCurrentThreads(_ geometry: Pool2DGeometry, kind: Kind,
                                                 gradOutput: UnsafeMutablePointer<Float>, workspace: TensorStorage?,
                                                 gradInput: UnsafeMutablePointer<Float>) {
        let primitive = primitive(geometry, kind, .backward)
        var arguments: [(Int32, UnsafeMutableRawPointer)] = [
            (DNNL_ARG_DIFF_DST, UnsafeMutableRawPointer(gradOutput)),
            (DNNL_ARG_DIFF_SRC, UnsafeMutableRawPointer(gradInput)),
        ]
        if primitive.workspaceBytes > 0 {
            guard let workspace else { preconditionFailure("\(primitive.name): the forward pass left no workspace") }
            arguments.append((DNNL_ARG_WORKSPACE, UnsafeMutableRawPointer(workspace.pointer)))
        }
        primitive.execute(arguments)
    }

    private static func primitive(_ geometry: Pool2DGeometry, _ kind: Kind, _ pass: Pass) -> DNNLPrimitive {
        cache.primitive(for: Key(geometry: geometry, kind: kind, pass: pass)) { make(geometry, kind, pass) }
    }

    /// A pooling's strides, window and padding at the start and at the end, as oneDNN's descriptors take them.
    static func spacing(_ g: Pool2DGeometry) -> (strides: [Int64], kernel: [Int64], padding: [Int64], paddingEnd: [Int64]) {
        ([Int64(g.strideY), Int64(g.strideX)], [Int64(g.kernelHeight), Int64(g.kernelWidth)],
         [Int64(g.padY), Int64(g.padX)], [Int64(g.padBottom), Int64(g.padRight)])
    }

    private static func make(_ g: Pool2DGeometry, _ kind: Kind, _ pass: Pass) -> DNNLPrimitive {
        var source = DNNLEngine.descriptor(g.inputShape, dnnl_nchw)
        var destination = DNNLEngine.descriptor(g.outputShape, dnnl_nchw)
        let (strides, kernel, padding, paddingEnd) = spacing(g)
        let algorithm = kind == .max ? dnnl_pooling_max : dnnl_pooling_avg_include_padding
        let kindName = kind == .max ? "max" : "average"
        var operation = dnnl_pooling_desc_t()
        let status: dnnl_status_t
        let name: String
        switch pass {
        case .inference, .training:
            name = "\(kindName) pooling forward \(g.inputShape.shapeText) kernel \(kernel)"
            status = dnnl_pooling_forward_desc_init(
                &operation, pass == .training ? dnnl_forward_training : dnnl_forward_inference, algorithm,
                &source, &destination, strides, kernel, padding, paddingEnd)
        case .backward:
            name = "\(kindName) pooling backward \(g.inputShape.shapeText) kernel \(kernel)"
            status = dnnl_pooling_backward_desc_init(&operation, algorithm, &source, &destination, strides, kernel,
                                                     padding, paddingEnd)
        }
        DNNLEngine.check(status, name, "descriptor")
        let hint = pass == .backward ? primitive(g, kind, .training) : nil
        return DNNLPrimitive(name, operation: operation, hint: hint)
    }
}
