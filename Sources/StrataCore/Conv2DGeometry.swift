/// The sizes and parameters of one 2-D convolution: input (N, C, H, W), weight (O, C/groups, KH, KW),
/// output (N, O, OH, OW), with OH = (H + padY + padBottom − dilationY·(KH − 1) − 1) / strideY + 1 (floor).
///
/// Padding may differ between the two ends of an axis: `padY`/`padX` are the rows and columns added
/// at the top and left, `padBottom`/`padRight` those at the bottom and right (equal unless asked
/// otherwise; Keras's "same" puts the odd one at the bottom and right).
///
/// It is the key of the oneDNN primitive caches and the one place shapes are checked, so every
/// kernel (oneDNN, im2col + sgemm, the reference) sees the same validated numbers.
struct Conv2DGeometry: Hashable, Sendable {
    let batch: Int, inChannels: Int, height: Int, width: Int
    let outChannels: Int, kernelHeight: Int, kernelWidth: Int
    let strideY: Int, strideX: Int
    let padY: Int, padX: Int
    let padBottom: Int, padRight: Int
    let dilationY: Int, dilationX: Int
    let groups: Int

    /// The geometry of a convolution of `input` (N, C, H, W) with `weight` (O, C/groups, KH, KW);
    /// traps with a message naming both shapes when they do not fit together.
    /// `padding` is (top, left); `paddingEnd` (bottom, right) defaults to `padding`.
    init(input: [Int], weight: [Int], bias: [Int]? = nil, stride: (Int, Int), padding: (Int, Int),
         paddingEnd: (Int, Int)? = nil, dilation: (Int, Int), groups: Int, op: String = "conv2d") {
        if let problem = Conv2DGeometry.problem(input: input, weight: weight, bias: bias, stride: stride,
                                                padding: padding, paddingEnd: paddingEnd, dilation: dilation,
                                                groups: groups, op: op) {
            preconditionFailure(problem)
        }
        batch = input[0]; inChannels = input[1]; height = input[2]; width = input[3]
        outChannels = weight[0]; kernelHeight = weight[2]; kernelWidth = weight[3]
        (strideY, strideX) = stride
        (padY, padX) = padding
        (padBottom, padRight) = paddingEnd ?? padding
        (dilationY, dilationX) = dilation
        self.groups = groups
    }

    /// What is wrong with these shapes and parameters, or nil when they describe a valid convolution.
    static func problem(input: [Int], weight: [Int], bias: [Int]?, stride: (Int, Int), padding: (Int, Int),
                        paddingEnd: (Int, Int)? = nil, dilation: (Int, Int), groups: Int,
                        op: String = "conv2d") -> String? {
        let end = paddingEnd ?? padding
        // Computed only when a message needs them: formatting costs more than a small convolution.
        var paddingText: String { end == padding ? "\(padding)" : "\(padding) (top, left) and \(end) (bottom, right)" }
        var inputText: String { input.shapeText }
        var weightText: String { weight.shapeText }
        guard input.count == 4 else { return "\(op): input \(inputText) must have rank 4 (N, C, H, W)" }
        guard weight.count == 4 else {
            return "\(op): weight \(weightText) must have rank 4 (O, C/groups, KH, KW)"
        }
        guard input.allSatisfy({ $0 > 0 }), weight.allSatisfy({ $0 > 0 }) else {
            return "\(op): input \(inputText) and weight \(weightText) must have no empty dimension"
        }
        guard stride.0 >= 1, stride.1 >= 1, dilation.0 >= 1, dilation.1 >= 1, padding.0 >= 0, padding.1 >= 0,
              end.0 >= 0, end.1 >= 0 else {
            return "\(op): stride \(stride) and dilation \(dilation) must be at least 1 and padding \(paddingText) "
                + "at least 0 (input \(inputText), weight \(weightText))"
        }
        guard groups >= 1, input[1] % groups == 0, weight[0] % groups == 0 else {
            return "\(op): groups \(groups) must divide the \(input[1]) channels of input \(inputText) "
                + "and the \(weight[0]) output channels of weight \(weightText)"
        }
        guard input[1] == weight[1] * groups else {
            return "\(op): input \(inputText) has \(input[1]) channels but weight \(weightText) expects "
                + "\(weight[1]) × groups \(groups)"
        }
        let spanY = dilation.0 * (weight[2] - 1) + 1, spanX = dilation.1 * (weight[3] - 1) + 1
        let paddedY = input[2] + padding.0 + end.0, paddedX = input[3] + padding.1 + end.1
        guard spanY <= paddedY, spanX <= paddedX else {
            return "\(op): kernel of weight \(weightText) spans \(spanY)×\(spanX) with dilation \(dilation), "
                + "larger than input \(inputText) padded by \(paddingText) to \(paddedY)×\(paddedX)"
        }
        if let bias, bias != [weight[0]] {
            return "\(op): bias \(bias.shapeText) must have shape (\(weight[0])) to match weight \(weightText)"
        }
        return nil
    }

    /// The output height OH.
    var outHeight: Int { (height + padY + padBottom - dilationY * (kernelHeight - 1) - 1) / strideY + 1 }
    /// The output width OW.
    var outWidth: Int { (width + padX + padRight - dilationX * (kernelWidth - 1) - 1) / strideX + 1 }
    /// The input shape (N, C, H, W).
    var inputShape: [Int] { [batch, inChannels, height, width] }
    /// The weight shape (O, C/groups, KH, KW).
    var weightShape: [Int] { [outChannels, inChannels / groups, kernelHeight, kernelWidth] }
    /// The output shape (N, O, OH, OW).
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    /// Input channels per group.
    var groupInChannels: Int { inChannels / groups }
    /// Output channels per group.
    var groupOutChannels: Int { outChannels / groups }
    /// The same convolution for a batch of `batch` examples.
    func withBatch(_ batch: Int) -> Conv2DGeometry {
        Conv2DGeometry(input: [batch, inChannels, height, width], weight: weightShape, stride: (strideY, strideX),
                       padding: (padY, padX), paddingEnd: (padBottom, padRight), dilation: (dilationY, dilationX),
                       groups: groups)
    }

    /// The multiply-adds of the forward pass: N·O·OH·OW·(C/groups)·KH·KW.
    var multiplyAdds: Int { batch * outChannels * outHeight * outWidth * groupInChannels * kernelHeight * kernelWidth }

    /// Multiply-adds × 2 of the forward pass (each backward pass costs the same).
    var forwardFLOPs: Double { 2 * Double(multiplyAdds) }
}
