/// The sizes and parameters of one 2-D pooling window: input (N, C, H, W), output (N, C, OH, OW)
/// with OH = (H + padY + padBottom − KH) / strideY + 1 (floor, like PyTorch's default `ceil_mode=False`);
/// `padY`/`padX` pad the top and left, `padBottom`/`padRight` the bottom and right (equal unless asked).
struct Pool2DGeometry: Hashable, Sendable {
    let batch: Int, channels: Int, height: Int, width: Int
    let kernelHeight: Int, kernelWidth: Int
    let strideY: Int, strideX: Int
    let padY: Int, padX: Int
    let padBottom: Int, padRight: Int

    /// The geometry of pooling `input` (N, C, H, W); traps with a message naming the op and shape
    /// when the window does not fit.
    /// `padding` is (top, left); `paddingEnd` (bottom, right) defaults to `padding`.
    init(input: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), paddingEnd: (Int, Int)? = nil,
         op: String) {
        if let problem = Pool2DGeometry.problem(input: input, kernel: kernel, stride: stride, padding: padding,
                                                paddingEnd: paddingEnd, op: op) {
            preconditionFailure(problem)
        }
        batch = input[0]; channels = input[1]; height = input[2]; width = input[3]
        (kernelHeight, kernelWidth) = kernel
        (strideY, strideX) = stride
        (padY, padX) = padding
        (padBottom, padRight) = paddingEnd ?? padding
    }

    /// What is wrong with these parameters for `input`, or nil when they describe a valid pooling.
    static func problem(input: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                        paddingEnd: (Int, Int)? = nil, op: String) -> String? {
        let end = paddingEnd ?? padding
        // Computed only when a message needs them: formatting costs more than a small pooling.
        var paddingText: String { end == padding ? "\(padding)" : "\(padding) (top, left) and \(end) (bottom, right)" }
        var inputText: String { input.shapeText }
        guard input.count == 4 else { return "\(op): input \(inputText) must have rank 4 (N, C, H, W)" }
        guard input.allSatisfy({ $0 > 0 }) else { return "\(op): input \(inputText) has an empty dimension" }
        guard kernel.0 >= 1, kernel.1 >= 1, stride.0 >= 1, stride.1 >= 1 else {
            return "\(op): kernel \(kernel) and stride \(stride) must be at least 1 (input \(inputText))"
        }
        guard padding.0 >= 0, padding.1 >= 0, 2 * padding.0 <= kernel.0, 2 * padding.1 <= kernel.1,
              end.0 >= 0, end.1 >= 0, 2 * end.0 <= kernel.0, 2 * end.1 <= kernel.1 else {
            return "\(op): padding \(paddingText) must be between 0 and half the kernel \(kernel) "
                + "(input \(inputText))"
        }
        let paddedY = input[2] + padding.0 + end.0, paddedX = input[3] + padding.1 + end.1
        guard kernel.0 <= paddedY, kernel.1 <= paddedX else {
            return "\(op): kernel \(kernel) is larger than input \(inputText) padded by \(paddingText) "
                + "to \(paddedY)×\(paddedX)"
        }
        return nil
    }

    /// The output height OH.
    var outHeight: Int { (height + padY + padBottom - kernelHeight) / strideY + 1 }
    /// The output width OW.
    var outWidth: Int { (width + padX + padRight - kernelWidth) / strideX + 1 }
    /// The input shape (N, C, H, W).
    var inputShape: [Int] { [batch, channels, height, width] }
    /// The output shape (N, C, OH, OW).
    var outputShape: [Int] { [batch, channels, outHeight, outWidth] }
}
