/// How a convolution or pooling window treats the border.
public enum Padding: String, Sendable, Equatable {
    /// No padding: the window stays inside the input.
    case valid
    /// Zero padding so that the output size is ⌈input / stride⌉, as in Keras.
    case same

    /// The symmetric padding on each side of an axis of `size` for a window of `kernel` (after
    /// dilation) moving by `stride`; throws when "same" would need uneven padding.
    func amount(size: Int, kernel: Int, stride: Int, dilation: Int = 1, layer: String) throws -> Int {
        guard self == .same else { return 0 }
        let span = dilation * (kernel - 1) + 1
        let output = (size + stride - 1) / stride
        let total = Swift.max((output - 1) * stride + span - size, 0)
        if total % 2 == 0 { return total / 2 }
        // With stride 2 or more, rounding the padding up still gives ⌈size / stride⌉ outputs.
        if stride > 1 { return (total + 1) / 2 }
        throw LayerError("\(layer): \"same\" padding needs an odd window with stride 1, got window \(span)")
    }

    /// The output size of an axis of `size` for a window of `kernel` with the given padding per side.
    static func outputSize(size: Int, kernel: Int, stride: Int, dilation: Int = 1, padding: Int) -> Int {
        (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    }
}
