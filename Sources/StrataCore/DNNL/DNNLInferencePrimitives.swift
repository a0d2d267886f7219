import CDNNL

/// The oneDNN primitives of inference in blocked layouts (`BlockedInferencePlan`): each takes its
/// source in the layout the previous primitive left (or lets oneDNN choose, for convolutions) and
/// lets oneDNN choose its destination's layout. Not cached here: each plan owns its primitives, and
/// passes each its scratchpad (user scratchpad mode), so a plan can run on any thread.
enum DNNLInferencePrimitives {
    /// A forward-inference convolution of `g` in oneDNN's preferred layouts, with a bias (O) when
    /// `hasBias`, and `attributes` (post-ops, and a user scratchpad).
    static func convolution(_ g: Conv2DGeometry, hasBias: Bool, attributes: DNNLAttributes) -> DNNLPrimitive {
        var (source, weights, destination) = DNNLConvolution.preferredDescriptors(g)
        var bias = DNNLEngine.descriptor([g.outChannels], dnnl_x)
        let (strides, dilates, padding, paddingEnd) = DNNLConvolution.spacing(g)
        let name = "inference convolution \(g.inputShape.shapeText) ⋆ \(g.weightShape.shapeText)"
        var operation = dnnl_convolution_desc_t()
        let status = withUnsafePointer(to: &bias) { biasPointer in
            dnnl_dilated_convolution_forward_desc_init(
                &operation, dnnl_forward_inference, dnnl_convolution_direct, &source, &weights,
                hasBias ? biasPointer : nil, &destination, strides, dilates, padding, paddingEnd)
        }
        DNNLEngine.check(status, name, "descriptor")
        return DNNLPrimitive(name, operation: operation, attributes: attributes)
    }

    /// Forward-inference pooling of `g` reading `source` (its layout as given).
    static func pooling(_ g: Pool2DGeometry, kind: DNNLPooling.Kind,
                        source: UnsafePointer<dnnl_memory_desc_t>) -> DNNLPrimitive {
        var destination = DNNLEngine.descriptor(g.outputShape, dnnl_format_tag_any)
        let (strides, kernel, padding, paddingEnd) = DNNLPooling.spacing(g)
        let algorithm = kind == .max ? dnnl_pooling_max : dnnl_pooling_avg_include_padding
        let name = "inference \(kind == .max ? "max" : "average") pooling \(g.inputShape.shapeText) kernel \(kernel)"
        var operation = dnnl_pooling_desc_t()
        DNNLEngine.check(dnnl_pooling_forward_desc_init(&operation, dnnl_forward_inference, algorithm, source,
                                                        &destination, strides, kernel, padding, paddingEnd),
                         name, "descriptor")
        return DNNLPrimitive(name, operation: operation, attributes: DNNLAttributes(userScratchpad: true, name: name))
    }

    /// max(x, 0) over memory laid out as `data` (the destination in the same layout).
    static func relu(_ data: UnsafePointer<dnnl_memory_desc_t>) -> DNNLPrimitive {
        var operation = dnnl_eltwise_desc_t()
        DNNLEngine.check(dnnl_eltwise_forward_desc_init(&operation, dnnl_forward_inference, dnnl_eltwise_relu, data,
                                                        0, 0), "inference ReLU", "descriptor")
        return DNNLPrimitive("inference ReLU", operation: operation,
                             attributes: DNNLAttributes(userScratchpad: true, name: "inference ReLU"))
    }
}
