extension Tensor {
    /// 2-D max pooling of this (N, C, H, W) tensor: the largest value in each KH×KW window, giving
    /// (N, C, OH, OW) with `OH = (H + 2·padding.0 − KH) / stride.0 + 1` (rounded down, like PyTorch's
    /// `ceil_mode=False`). `stride` defaults to the kernel; padding (at most half the kernel) never wins.
    /// `padding` pads the top and left, `paddingEnd` (default: `padding`) the bottom and right.
    ///
    /// Differentiable: the gradient of each output goes to the input element that was the maximum.
    ///
    /// ```swift
    /// let pooled = features.maxPool2d(kernel: (2, 2))   // (128, 32, 28, 28) → (128, 32, 14, 14)
    /// ```
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          paddingEnd: (Int, Int)? = nil) -> Tensor {
        let geometry = Pool2DGeometry(input: shape, kernel: kernel, stride: stride ?? kernel, padding: padding,
                                      paddingEnd: paddingEnd, op: "maxPool2d")
        let (output, workspace) = pool2d(geometry, .max)
        if Tensor.needsGrad(self) {
            output.record("maxPool2d", [self]) { gradOutput in
                [Tensor.pool2dBackward(geometry, .max, gradOutput: gradOutput, workspace: workspace)]
            }
        }
        return output
    }

    /// 2-D average pooling of this (N, C, H, W) tensor: the mean of each KH×KW window, giving
    /// (N, C, OH, OW) sized as in `maxPool2d`. Padding counts as zeros in the mean, which always divides
    /// by KH·KW (PyTorch's default `count_include_pad=True`). `stride` defaults to the kernel; `padding`
    /// pads the top and left, `paddingEnd` (default: `padding`) the bottom and right.
    ///
    /// Differentiable: each output's gradient is spread evenly over its window.
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          paddingEnd: (Int, Int)? = nil) -> Tensor {
        let geometry = Pool2DGeometry(input: shape, kernel: kernel, stride: stride ?? kernel, padding: padding,
                                      paddingEnd: paddingEnd, op: "avgPool2d")
        let (output, _) = pool2d(geometry, .average)
        if Tensor.needsGrad(self) {
            output.record("avgPool2d", [self]) { gradOutput in
                [Tensor.pool2dBackward(geometry, .average, gradOutput: gradOutput, workspace: nil)]
            }
        }
        return output
    }

    /// The mean over H and W of this (N, C, H, W) tensor, as an (N, C) tensor (Keras's
    /// `GlobalAveragePooling2D`; ready for a dense layer without a reshape). Differentiable.
    public func globalAvgPool2d() -> Tensor {
        precondition(rank == 4, "globalAvgPool2d: input \(shape.shapeText) must have rank 4 (N, C, H, W)")
        let planes = shape[0] * shape[1], plane = shape[2] * shape[3]
        precondition(plane > 0, "globalAvgPool2d: input \(shape.shapeText) has an empty image")
        let input = contiguousStorageView()
        let output = Tensor(uninitializedShape: [shape[0], shape[1]])
        let source = input.pointer, destination = output.pointer
        let scale = 1 / Float(plane)
        ThreadPolicy.parallelFor(count: planes, minimumPerThread: Swift.max(1, (1 << 15) / plane)) { range in
            for index in range {
                let values = source + index * plane
                var total: Float = 0
                for p in 0..<plane { total += values[p] }
                destination[index] = total * scale
            }
        }
        if Tensor.needsGrad(self) {
            let inputShape = shape
            output.record("globalAvgPool2d", [self]) { gradOutput in
                let gradient = gradOutput.contiguousStorageView()
                let gradInput = Tensor(uninitializedShape: inputShape)
                let source = gradient.pointer, destination = gradInput.pointer
                ThreadPolicy.parallelFor(count: planes, minimumPerThread: Swift.max(1, (1 << 15) / plane)) { range in
                    for index in range {
                        (destination + index * plane).update(repeating: source[index] * scale, count: plane)
                    }
                }
                return [gradInput]
            }
        }
        return output
    }

    /// The pooled output and, when the tape needs it for max pooling, oneDNN's workspace.
    private func pool2d(_ geometry: Pool2DGeometry, _ kind: DNNLPooling.Kind) -> (Tensor, TensorStorage?) {
        let input = contiguousStorageView()
        let output = Tensor(uninitializedShape: geometry.outputShape)
        let workspace = DNNLPooling.forward(geometry, kind: kind, training: Tensor.needsGrad(self),
                                            input: input.pointer, output: output.pointer)
        return (output, workspace)
    }

    /// The gradient of a pooling with respect to its input (N, C, H, W).
    private static func pool2dBackward(_ geometry: Pool2DGeometry, _ kind: DNNLPooling.Kind, gradOutput: Tensor,
                                       workspace: TensorStorage?) -> Tensor {
        let gradient = gradOutput.contiguousStorageView()
        let gradInput = Tensor(uninitializedShape: geometry.inputShape)
        DNNLPooling.backward(geometry, kind: kind, gradOutput: gradient.pointer, workspace: workspace,
                             gradInput: gradInput.pointer)
        return gradInput
    }
}
