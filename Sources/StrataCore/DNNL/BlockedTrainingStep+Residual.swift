import CDNNL

extension BlockedTrainingStep {
    /// The start of a residual block: its input fans out to the body and the shortcut, so in the
    /// backward pass the two input gradients are summed, in the input's layout.
    final class ResidualStart {
        /// body gradient + shortcut gradient, in the block input's layout.
        let gradientSum: DNNLPrimitive

        init(input: dnnl_memory_desc_t) {
            gradientSum = withUnsafePointer(to: input) { DNNLTrainingPrimitives.addition($0, relu: false) }
        }

        /// The block input's gradient (a new buffer of `bytes`): the body's plus the shortcut's.
        func gradient(body: BlockedBuffer, shortcut: BlockedBuffer, bytes: Int) -> BlockedBuffer {
            let result = BlockedBuffer(bytes: bytes)
            withExtendedLifetime((body.owner, shortcut.owner)) {
                gradientSum.execute([(DNNL_ARG_SRC_0, body.raw), (DNNL_ARG_SRC_1, shortcut.raw), (DNNL_ARG_DST, result.raw)])
            }
            return result
        }
    }

    /// The end of a residual block: body + shortcut, through max(·, 0) when asked, in the layout of the
    /// body's output (the shortcut's output is reordered into it when its layout differs).
    final class ResidualAddition {
        /// The layout of the body's output, the sum and its gradient.
        let layout: dnnl_memory_desc_t
        let addition: DNNLPrimitive
        /// The backward pass of the ReLU after the addition (nil without one).
        let reluBackward: DNNLPrimitive?
        /// The shortcut's output → the body's layout, and a gradient in the body's layout → the
        /// shortcut's (both nil when the layouts are the same).
        let shortcutToBody: DNNLPrimitive?, gradientToShortcut: DNNLPrimitive?
        /// The bytes of the sum, and of the shortcut's output in its own layout.
        let bytes: Int, shortcutBytes: Int

        init(body: dnnl_memory_desc_t, shortcut: dnnl_memory_desc_t, relu: Bool) {
            var body = body, shortcut = shortcut
            layout = body
            bytes = dnnl_memory_desc_get_size(&body)
            shortcutBytes = dnnl_memory_desc_get_size(&shortcut)
            addition = DNNLTrainingPrimitives.addition(&body, relu: relu)
            reluBackward = relu ? DNNLTrainingPrimitives.relu(&body).backward : nil
            if dnnl_memory_desc_equal(&body, &shortcut) != 0 {
                (shortcutToBody, gradientToShortcut) = (nil, nil)
            } else {
                shortcutToBody = DNNLPrimitive("reorder residual shortcut (training segment)", reorderFrom: &shortcut,
                                               to: &body)
                gradientToShortcut = DNNLPrimitive("reorder residual shortcut gradient (training segment)",
                                                   reorderFrom: &body, to: &shortcut)
            }
        }

        /// body + shortcut (then the ReLU), a new buffer in the body's layout.
        func forward(body: BlockedBuffer, shortcut: BlockedBuffer) -> BlockedBuffer {
            let side = Self.reordered(shortcut, by: shortcutToBody, bytes: bytes)
            let result = BlockedBuffer(bytes: bytes)
            withExtendedLifetime((body.owner, side.owner)) {
                addition.execute([(DNNL_ARG_SRC_0, body.raw), (DNNL_ARG_SRC_1, side.raw), (DNNL_ARG_DST, result.raw)])
            }
            return result
        }

        /// The gradient of the sum (before the ReLU, in the body's layout) in the shortcut output's layout.
        func shortcutGradient(_ gradient: BlockedBuffer) -> BlockedBuffer {
            Self.reordered(gradient, by: gradientToShortcut, bytes: shortcutBytes)
        }

        /// `buffer` through `reorder` into a new buffer of `bytes`, or `buffer` itself without a reorder.
        private static func reordered(_ buffer: BlockedBuffer, by reorder: DNNLPrimitive?, bytes: Int) -> BlockedBuffer {
            guard let reorder else { return buffer }
            let result = BlockedBuffer(bytes: bytes)
            withExtendedLifetime(buffer.owner) {
                reorder.execute([(DNNL_ARG_FROM, buffer.raw), (DNNL_ARG_TO, result.raw)])
            }
            return result
        }
    }
}
