import CDNNL

/// oneDNN primitive attributes carrying post-ops: work a primitive applies to its result before it
/// writes it (an accumulation onto the destination's old contents, then a ReLU), and who provides the
/// primitive's scratchpad.
final class DNNLAttributes {
    /// The attributes (owned).
    let attributes: dnnl_primitive_attr_t

    /// Attributes whose post-ops first add the destination's previous contents (`sum`) and then
    /// apply a ReLU (`relu`), each only when asked; nil-equivalent (no post-ops) when neither is. With
    /// `userScratchpad` the caller passes the primitive's scratchpad (`DNNL_ARG_SCRATCHPAD`, of
    /// `DNNLPrimitive.scratchpadBytes`) at every execution: oneDNN's own shared scratchpad belongs to the
    /// thread that made the primitive, so a primitive run on another thread needs the caller's.
    init(sum: Bool = false, relu: Bool = false, userScratchpad: Bool = false, name: String) {
        var attributes: dnnl_primitive_attr_t?
        DNNLEngine.check(dnnl_primitive_attr_create(&attributes), name, "attributes")
        var postOps: dnnl_post_ops_t?
        DNNLEngine.check(dnnl_post_ops_create(&postOps), name, "post-ops")
        if sum { DNNLEngine.check(dnnl_post_ops_append_sum(postOps, 1), name, "sum post-op") }
        if relu {
            DNNLEngine.check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, 0, 0), name, "ReLU post-op")
        }
        DNNLEngine.check(dnnl_primitive_attr_set_post_ops(attributes, postOps), name, "set post-ops")
        dnnl_post_ops_destroy(postOps)
        if userScratchpad {
            DNNLEngine.check(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), name,
                             "scratchpad mode")
        }
        self.attributes = attributes!
    }

    deinit { dnnl_primitive_attr_destroy(attributes) }
}
