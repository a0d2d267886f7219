import CDNNL

/// The oneDNN primitives of training in blocked layouts (`BlockedTrainingPlan`): forward-training
/// primitives that take their source in the layout the previous primitive left (or let oneDNN choose,
/// for convolutions), and their backward twins made with the forward primitive as hint. Not cached
/// here: each plan owns its primitives.
enum DNNLTrainingPrimitives {
    /// The three primitives of one convolution in oneDNN's preferred layouts: forward training (with a
    /// ReLU post-op when `relu`), backward data and backward weights (with the bias gradient when `hasBias`).
    /// With `.bfloat16` the activations, their gradients and the weight the passes read are bfloat16 (Float32
    /// accumulation); the bias and the weight and bias gradients stay Float32. With `float32Output` (bfloat16
    /// only) the forward pass writes its output in Float32 (for a batch normalization to read); the output's
    /// gradient the backward passes read stays bfloat16.
    static func convolution(_ g: Conv2DGeometry, hasBias: Bool, relu: Bool, precision: Precision = .float32,
                            float32Output: Bool = false)
        -> (forward: DNNLPrimitive, backwardData: DNNLPrimitive, backwardWeights: DNNLPrimitive) {
        var (source, weights, destination) = DNNLConvolution.preferredDescriptors(
            g, dataType: precision == .bfloat16 ? dnnl_bf16 : dnnl_f32)
        var forwardDestination = destination
        if float32Output { forwardDestination.data_type = dnnl_f32 }
        var gradWeights = DNNLConvolution.preferredDescriptors(g).weight
        var bias = DNNLEngine.descriptor([g.outChannels], dnnl_x)
        let (strides, dilates, padding, paddingEnd) = DNNLConvolution.spacing(g)
        let shapes = "\(g.inputShape.shapeText) ⋆ \(g.weightShape.shapeText) (training segment\(precision == .bfloat16 ? ", bf16" : ""))"
        var operation = dnnl_convolution_desc_t()
        var status = withUnsafePointer(to: &bias) { biasPointer in
            dnnl_dilated_convolution_forward_desc_init(
                &operation, dnnl_forward_training, dnnl_convolution_direct, &source, &weights,
                hasBias ? biasPointer : nil, &forwardDestination, strides, dilates, padding, paddingEnd)
        }
        DNNLEngine.check(status, "convolution forward \(shapes)", "descriptor")
        let attributes = DNNLAttributes(sum: false, relu: relu, name: "convolution forward \(shapes)")
        let forward = DNNLPrimitive("convolution forward \(shapes)", operation: operation, attributes: attributes)

        status = dnnl_dilated_convolution_backward_data_desc_init(
            &operation, dnnl_convolution_direct, &source, &weights, &destination, strides, dilates, padding, paddingEnd)
        DNNLEngine.check(status, "convolution backward data \(shapes)", "descriptor")
        let backwardData = DNNLPrimitive("convolution backward data \(shapes)", operation: operation, hint: forward)

        status = withUnsafePointer(to: &bias) { biasPointer in
            dnnl_dilated_convolution_backward_weights_desc_init(
                &operation, dnnl_convolution_direct, &source, &gradWeights, hasBias ? biasPointer : nil, &destination,
                strides, dilates, padding, paddingEnd)
        }
        DNNLEngine.check(status, "convolution backward weights \(shapes)", "descriptor")
        let backwardWeights = DNNLPrimitive("convolution backward weights \(shapes)", operation: operation,
                                            hint: forward)
        return (forward, backwardData, backwardWeights)
    }

    /// Forward-training pooling of `g` reading `source` (its layout and data type as given; the destination's
    /// layout oneDNN chooses, in the same data type), and its backward pass with the gradients in the same two layouts.
    static func pooling(_ g: Pool2DGeometry, kind: DNNLPooling.Kind, source: UnsafePointer<dnnl_memory_desc_t>)
        -> (forward: DNNLPrimitive, backward: DNNLPrimitive) {
        var destination = DNNLEngine.descriptor(g.outputShape, dnnl_format_tag_any, source.pointee.data_type)
        let (strides, kernel, padding, paddingEnd) = DNNLPooling.spacing(g)
        let algorithm = kind == .max ? dnnl_pooling_max : dnnl_pooling_avg_include_padding
        let name = "\(kind == .max ? "max" : "average") pooling \(g.inputShape.shapeText) kernel \(kernel) (training segment)"
        var operation = dnnl_pooling_desc_t()
        DNNLEngine.check(dnnl_pooling_forward_desc_init(&operation, dnnl_forward_training, algorithm, source,
                                                        &destination, strides, kernel, padding, paddingEnd),
                         name, "forward descriptor")
        let forward = DNNLPrimitive(name + " forward", operation: operation)
        let chosen = forward.memoryDescriptor(argument: DNNL_ARG_DST)
        DNNLEngine.check(dnnl_pooling_backward_desc_init(&operation, algorithm, source, chosen, strides, kernel,
                                                         padding, paddingEnd),
                         name, "backward descriptor")
        return (forward, DNNLPrimitive(name + " backward", operation: operation, hint: forward))
    }

    /// max(x, 0) for training over memory laid out as `data` (the destination in the same layout), and
    /// its backward pass computed from the output: the gradient where the output is positive, 0 elsewhere.
    static func relu(_ data: UnsafePointer<dnnl_memory_desc_t>) -> (forward: DNNLPrimitive, backward: DNNLPrimitive) {
        var operation = dnnl_eltwise_desc_t()
        DNNLEngine.check(dnnl_eltwise_forward_desc_init(&operation, dnnl_forward_training,
                                                        dnnl_eltwise_relu_use_dst_for_bwd, data, 0, 0),
                         "ReLU (training segment)", "forward descriptor")
        let forward = DNNLPrimitive("ReLU forward (training segment)", operation: operation)
        DNNLEngine.check(dnnl_eltwise_backward_desc_init(&operation, dnnl_eltwise_relu_use_dst_for_bwd, data, data,
                                                         0, 0),
                         "ReLU (training segment)", "backward descriptor")
        return (forward, DNNLPrimitive("ReLU backward (training segment)", operation: operation, hint: forward))
    }
}

extension DNNLTrainingPrimitives {
    /// Batch normalization with the batch's statistics over memory laid out as `data` (N, C, H, W), with
    /// separate (C) scale and shift, through max(·, 0) when `relu` (its mask then goes in the workspace),
    /// and its backward pass (the gradients of the input, the scale and the shift).
    static func batchNormalization(_ data: UnsafePointer<dnnl_memory_desc_t>, epsilon: Float, relu: Bool)
        -> (forward: DNNLPrimitive, backward: DNNLPrimitive) {
        var flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
        if relu { flags |= dnnl_fuse_norm_relu.rawValue }
        let name = "batch normalization\(relu ? " + ReLU" : "") (training segment)"
        var operation = dnnl_batch_normalization_desc_t()
        DNNLEngine.check(dnnl_batch_normalization_forward_desc_init(&operation, dnnl_forward_training, data, epsilon,
                                                                    flags), name, "forward descriptor")
        let forward = DNNLPrimitive(name + " forward", operation: operation)
        DNNLEngine.check(dnnl_batch_normalization_backward_desc_init(&operation, dnnl_backward, data, data, epsilon,
                                                                     flags), name, "backward descriptor")
        return (forward, DNNLPrimitive(name + " backward", operation: operation, hint: forward))
    }
}

extension DNNLTrainingPrimitives {
    /// a + b over memory laid out as `data` (both operands and the destination), through max(·, 0) as a
    /// post-op when `relu`: the sum at the end of a residual block, or of two gradients where an
    /// activation fans out.
    static func addition(_ data: UnsafePointer<dnnl_memory_desc_t>, relu: Bool) -> DNNLPrimitive {
        let name = "addition\(relu ? " + ReLU" : "") (training segment)"
        var operation = dnnl_binary_desc_t()
        DNNLEngine.check(dnnl_binary_desc_init(&operation, dnnl_binary_add, data, data, data), name, "descriptor")
        return DNNLPrimitive(name, operation: operation, attributes: DNNLAttributes(sum: false, relu: relu, name: name))
    }
}
