import CDNNL
import Foundation
import StrataCore

/// Measures what oneDNN's convolutions would cost in the layouts oneDNN prefers (`format_tag_any`,
/// typically nChw16c activations and blocked weights) and what the reorders to and from Strata's
/// plain NCHW would add: the evidence for keeping plain NCHW in `DNNLConvolution`.
///
/// Reported per shape: the three convolution passes alone in blocked layouts, the reorders a
/// plain-NCHW library would need around them (input, output, output gradient, input gradient,
/// weights and weight gradient), and their sum, to compare with the plain-NCHW kernel's total.
enum BlockedLayoutProbe {
    /// Forward + backward milliseconds: (convolutions alone, reorders, implementation names).
    static func measure(_ shape: Shape, iterations: Int) -> (convolution: Double, reorders: Double, names: String) {
        var engine: dnnl_engine_t?
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        var stream: dnnl_stream_t?
        check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream")
        defer { dnnl_stream_destroy(stream); dnnl_engine_destroy(engine) }

        let input = [shape.batch, shape.channels, shape.size, shape.size]
        let weight = [shape.outChannels, shape.channels, shape.kernel, shape.kernel]
        let output = [shape.batch, shape.outChannels, shape.outSize, shape.outSize]
        var source = descriptor(input, dnnl_format_tag_any), weights = descriptor(weight, dnnl_format_tag_any)
        var destination = descriptor(output, dnnl_format_tag_any), bias = descriptor([shape.outChannels], dnnl_x)
        let strides: [Int64] = [Int64(shape.stride), Int64(shape.stride)]
        let padding: [Int64] = [Int64(shape.padding), Int64(shape.padding)]

        var forwardDescriptor = dnnl_convolution_desc_t()
        check(dnnl_convolution_forward_desc_init(&forwardDescriptor, dnnl_forward_training, dnnl_convolution_direct,
                                                 &source, &weights, &bias, &destination, strides, padding, padding),
              "forward descriptor")
        let forward = primitiveDescriptor(&forwardDescriptor, engine!, hint: nil)
        var dataDescriptor = dnnl_convolution_desc_t()
        check(dnnl_convolution_backward_data_desc_init(&dataDescriptor, dnnl_convolution_direct, &source, &weights,
                                                       &destination, strides, padding, padding), "data descriptor")
        let backwardData = primitiveDescriptor(&dataDescriptor, engine!, hint: forward)
        var weightsDescriptor = dnnl_convolution_desc_t()
        check(dnnl_convolution_backward_weights_desc_init(&weightsDescriptor, dnnl_convolution_direct, &source,
                                                          &weights, &bias, &destination, strides, padding, padding),
              "weights descriptor")
        let backwardWeights = primitiveDescriptor(&weightsDescriptor, engine!, hint: forward)
        defer { for pd in [forward, backwardData, backwardWeights] { dnnl_primitive_desc_destroy(pd) } }

        // The passes with every argument in the layout the primitive chose.
        var convolution = 0.0
        let passes: [(dnnl_primitive_desc_t, [Int32])] = [
            (forward, [DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST]),
            (backwardWeights, [DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS]),
        ] + (shape.isFirstLayer ? [] : [(backwardData, [DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC])])
        for (pd, arguments) in passes {
            convolution += time(pd, arguments: arguments.map { ($0, $0) }, engine: engine!, stream: stream!,
                                iterations: iterations)
        }

        // The reorders between plain NCHW / OIHW and the chosen layouts.
        var reorders = 0.0
        let plainActivations: [(dnnl_primitive_desc_t, Int32, [Int], Bool)] = [
            (forward, DNNL_ARG_SRC, input, true), (forward, DNNL_ARG_DST, output, false),
            (backwardWeights, DNNL_ARG_DIFF_DST, output, true),
            (forward, DNNL_ARG_WEIGHTS, weight, true), (backwardWeights, DNNL_ARG_DIFF_WEIGHTS, weight, false),
        ] + (shape.isFirstLayer ? [] : [(backwardData, DNNL_ARG_DIFF_SRC, input, false)])
        for (pd, argument, dims, toBlocked) in plainActivations {
            let chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, argument)!
            var plain = descriptor(dims, dims == weight ? dnnl_oihw : dnnl_nchw)
            if dnnl_memory_desc_equal(chosen, &plain) != 0 { continue }
            var reorder: dnnl_primitive_desc_t?
            check(toBlocked ? dnnl_reorder_primitive_desc_create(&reorder, &plain, engine, chosen, engine, nil)
                            : dnnl_reorder_primitive_desc_create(&reorder, chosen, engine, &plain, engine, nil),
                  "reorder")
            reorders += time(reorder!, arguments: [(DNNL_ARG_FROM, DNNL_ARG_FROM), (DNNL_ARG_TO, DNNL_ARG_TO)],
                             engine: engine!, stream: stream!, iterations: iterations)
            dnnl_primitive_desc_destroy(reorder)
        }
        let names = [forward, backwardData, backwardWeights].map(implementation).joined(separator: " / ")
        return (convolution * 1e3, reorders * 1e3, names)
    }

    /// The best seconds of one execution of the primitive of `pd` with fresh buffers for `arguments`
    /// (execution argument, argument whose memory descriptor sizes the buffer).
    private static func time(_ pd: dnnl_primitive_desc_t, arguments: [(Int32, Int32)], engine: dnnl_engine_t,
                             stream: dnnl_stream_t, iterations: Int) -> Double {
        var primitive: dnnl_primitive_t?
        check(dnnl_primitive_create(&primitive, pd), "primitive")
        var buffers: [UnsafeMutableRawPointer] = []
        var memories: [dnnl_exec_arg_t] = []
        for (argument, sizing) in arguments {
            let md = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, sizing)!
            let bytes = max(dnnl_memory_desc_get_size(md), 64)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            var memory: dnnl_memory_t?
            check(dnnl_memory_create(&memory, md, engine, buffer), "memory")
            buffers.append(buffer)
            memories.append(dnnl_exec_arg_t(arg: argument, memory: memory))
        }
        var times: [Double] = []
        for iteration in 0..<(iterations + 2) {
            let start = DispatchTime.now().uptimeNanoseconds
            check(dnnl_primitive_execute(primitive, stream, Int32(memories.count), memories), "execute")
            check(dnnl_stream_wait(stream), "wait")
            if iteration >= 2 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        for memory in memories { dnnl_memory_destroy(memory.memory) }
        for buffer in buffers { buffer.deallocate() }
        dnnl_primitive_destroy(primitive)
        return times.min()!
    }

    private static func primitiveDescriptor(_ operation: inout dnnl_convolution_desc_t, _ engine: dnnl_engine_t,
                                            hint: dnnl_primitive_desc_t?) -> dnnl_primitive_desc_t {
        var pd: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&pd, &operation, nil, engine, hint), "primitive descriptor")
        return pd!
    }

    private static func implementation(_ pd: dnnl_primitive_desc_t) -> String {
        var text: UnsafePointer<CChar>?
        _ = dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &text)
        return text.map { String(cString: $0) } ?? "?"
    }

    private static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), dims.map { Int64($0) }, dnnl_f32, tag), "md")
        return md
    }

    private static func check(_ status: dnnl_status_t, _ step: String) {
        if status != dnnl_success { fatalError("blocked-layout probe: \(step) failed with status \(status.rawValue)") }
    }
}
