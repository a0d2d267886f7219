/// How a convolution or pooling window treats the border.
///
/// Both "same" variants give ⌈input / stride⌉ outputs per axis and differ only when the padding an
/// axis needs is odd (a stride of 2 or more on an even input, or an even window):
///
/// | case | extra row / column | matches |
/// | --- | --- | --- |
/// | `same` | top / left | PyTorch's explicit symmetric `padding=k // 2`, ONNX `SAME_LOWER` |
/// | `sameKeras` | bottom / right | Keras and TensorFlow `padding="same"`, ONNX `SAME_UPPER` |
///
/// The catalog's models use `same`; weights imported from Keras need `sameKeras`.
public enum Padding: String, Sendable, Equatable, Codable {
    /// No padding: the window stays inside the input.
    case valid
    /// Zero padding so that the output size is ⌈input / stride⌉; an odd total puts the extra row and
    /// column at the top and left (as PyTorch's symmetric `padding=1` for a 3×3 window with stride 2).
    case same
    /// Zero padding so that the output size is ⌈input / stride⌉; an odd total puts the extra row and
    /// column at the bottom and right, exactly as Keras and TensorFlow do.
    case sameKeras

    /// The padding (before, after) of an axis of `size` for a window of `kernel` (after dilation)
    /// moving by `stride`; throws naming `layer` when `same` would need uneven padding with stride 1.
    func amounts(size: Int, kernel: Int, stride: Int, dilation: Int = 1, layer: String) throws -> (before: Int, after: Int) {
        if self == .valid { return (0, 0) }
        let span = dilation * (kernel - 1) + 1
        let output = (size + stride - 1) / stride
        let total = Swift.max((output - 1) * stride + span - size, 0)
        if self == .sameKeras { return (total / 2, total - total / 2) }
        if total % 2 == 0 { return (total / 2, total / 2) }
        // With stride 2 or more, rounding the padding up still gives ⌈size / stride⌉ outputs (the last
        // padded row is never reached, so this is "the extra one at the top").
        if stride > 1 { return ((total + 1) / 2, (total + 1) / 2) }
        throw LayerError("\(layer): \"same\" padding needs an odd window with stride 1, got window \(span) "
            + "(use .sameKeras to put the extra row and column at the bottom and right)")
    }

    /// The output size of an axis of `size` for a window of `kernel` with `before` and `after` padding.
    static func outputSize(size: Int, kernel: Int, stride: Int, dilation: Int = 1, before: Int, after: Int) -> Int {
        (size + before + after - dilation * (kernel - 1) - 1) / stride + 1
    }
}
