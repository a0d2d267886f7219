/// Which kernel `conv2d` runs; every choice computes the same result within rounding. Only the
/// oneDNN blocked kernels (`automatic`, `oneDNNBlocked`) compute in bfloat16 under
/// `Precision.with(.bfloat16)`; the others always compute in Float32.
public enum ConvolutionAlgorithm: Sendable, CaseIterable {
    /// The kernel measured fastest for the geometry: currently `oneDNNBlocked` for every geometry, as
    /// it won on all twelve model shapes by 2–4× (see `Benchmarks/ConvBench`).
    case automatic
    /// oneDNN's primitives in their preferred blocked layouts, with reorders from and to NCHW.
    case oneDNNBlocked
    /// oneDNN's primitives on plain NCHW memory (its gemm-based kernels).
    case oneDNNPlain
    /// im2col / col2im with OpenBLAS `sgemm`.
    case im2colGEMM
}

extension Tensor {
    /// A 2-D convolution (cross-correlation, like PyTorch's `conv2d`) of this (N, C, H, W) tensor
    /// with `weight` (O, C/groups, KH, KW) plus an optional `bias` (O), giving (N, O, OH, OW) with
    /// `OH = (H + 2·padding.0 − dilation.0·(KH − 1) − 1) / stride.0 + 1` (rounded down), and OW alike.
    ///
    /// Differentiable with respect to the input, the weight and the bias. Padding is zero: `padding`
    /// rows and columns at the top and left, and `paddingEnd` (default: `padding`) at the bottom and
    /// right, with `OH = (H + padding.0 + paddingEnd.0 − …) / stride.0 + 1` when they differ. For "same"
    /// output with an odd kernel `k` and stride 1, pass `padding: (k / 2, k / 2)`.
    ///
    /// With `relu`, the result is `max(·, 0)` of the convolution, as `.relu()` after it gives (the same
    /// bits, forward and backward), computed in the convolution's own output buffer: the pre-activation
    /// values are never kept, so a Conv+ReLU holds one activation until its backward pass instead of two.
    ///
    /// Under `Precision.with(.bfloat16)` the input, weight and (in backward) output gradient are rounded
    /// to bfloat16 and the products accumulated in Float32; the output and gradients are Float32.
    ///
    /// ```swift
    /// let images = Tensor.randomNormal([128, 1, 28, 28], seed: 1)
    /// let weight = Tensor.randomNormal([32, 1, 3, 3], seed: 2, requiresGrad: true)
    /// let features = images.conv2d(weight, padding: (1, 1))   // (128, 32, 28, 28)
    /// ```
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                       padding: (Int, Int) = (0, 0), paddingEnd: (Int, Int)? = nil, dilation: (Int, Int) = (1, 1),
                       groups: Int = 1, relu: Bool = false, algorithm: ConvolutionAlgorithm = .automatic) -> Tensor {
        let geometry = Conv2DGeometry(input: shape, weight: weight.shape, bias: bias?.shape, stride: stride,
                                      padding: padding, paddingEnd: paddingEnd, dilation: dilation, groups: groups)
        let kernel = algorithm == .automatic ? Tensor.fastestConvolution(for: geometry) : algorithm
        let input = contiguousStorageView(), filters = weight.contiguousStorageView()
        let shift = bias?.contiguousStorageView()
        let output = Tensor(uninitializedShape: geometry.outputShape)
        let precision = kernel == .oneDNNBlocked || kernel == .automatic ? Precision.current : .float32
        switch kernel {
        case .im2colGEMM:
            Im2ColConvolution.forward(geometry, input: input.pointer, weight: filters.pointer, bias: shift?.pointer,
                                      output: output.pointer)
        case .oneDNNPlain:
            DNNLConvolution.forward(geometry, input: input.pointer, weight: filters.pointer, bias: shift?.pointer,
                                    output: output.pointer)
        case .oneDNNBlocked, .automatic:
            DNNLBlockedConvolution.forward(geometry, input: input.pointer, weight: filters.pointer,
                                           bias: shift?.pointer, output: output.pointer, precision: precision)
        }
        if relu { MapKernel.unaryInPlace(output.pointer, count: output.count, ReLUFunction()) }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        if Tensor.needsGrad(inputs) {
            let wantsInput = requiresGrad, wantsWeight = weight.requiresGrad, wantsBias = bias?.requiresGrad ?? false
            let reluOutput = relu ? output.detached() : nil
            output.record(relu ? "conv2d+relu" : "conv2d", inputs,
                          saving: [input, filters] + (reluOutput.map { [$0] } ?? [])) { grad in
                let gradOutput = reluOutput.map { MapKernel.binary(grad, $0, op: "conv2d+relu backward", ReLUGradientFunction()) } ?? grad
                let gradients = Tensor.conv2dBackward(
                    geometry, kernel: kernel, input: input, weight: filters, gradOutput: gradOutput,
                    wantsInput: wantsInput, wantsWeight: wantsWeight, wantsBias: wantsBias, precision: precision)
                return shift != nil ? [gradients.input, gradients.weight, gradients.bias]
                    : [gradients.input, gradients.weight]
            }
        }
        return output
    }

    /// The gradients of a convolution with respect to the input, weight and bias that are wanted.
    private static func conv2dBackward(
        _ geometry: Conv2DGeometry, kernel: ConvolutionAlgorithm, input: Tensor, weight: Tensor, gradOutput: Tensor,
        wantsInput: Bool, wantsWeight: Bool, wantsBias: Bool, precision: Precision
    ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let gradOutput = gradOutput.contiguousStorageView()
        let gradInput = wantsInput ? Tensor(uninitializedShape: geometry.inputShape) : nil
        // oneDNN computes the bias gradient only together with the weight gradient.
        let gradWeight = wantsWeight || wantsBias ? Tensor(uninitializedShape: geometry.weightShape) : nil
        let gradBias = wantsBias ? Tensor(uninitializedShape: [geometry.outChannels]) : nil
        switch kernel {
        case .im2colGEMM:
            Im2ColConvolution.backward(geometry, input: input.pointer, weight: weight.pointer,
                                       gradOutput: gradOutput.pointer, gradInput: gradInput?.pointer,
                                       gradWeight: wantsWeight ? gradWeight?.pointer : nil, gradBias: gradBias?.pointer)
        case .oneDNNBlocked, .automatic:
            DNNLBlockedConvolution.backward(geometry, input: input.pointer, weight: weight.pointer,
                                            gradOutput: gradOutput.pointer, gradInput: gradInput?.pointer,
                                            gradWeight: gradWeight?.pointer, gradBias: gradBias?.pointer,
                                            precision: precision)
        case .oneDNNPlain:
            if let gradInput {
                DNNLConvolution.backwardData(geometry, gradOutput: gradOutput.pointer, weight: weight.pointer,
                                             gradInput: gradInput.pointer)
            }
            if let gradWeight {
                DNNLConvolution.backwardWeights(geometry, input: input.pointer, gradOutput: gradOutput.pointer,
                                                gradWeight: gradWeight.pointer, gradBias: gradBias?.pointer)
            }
        }
        return (gradInput, wantsWeight ? gradWeight : nil, gradBias)
    }

    /// The kernel that measured fastest for `geometry` with `strata-convbench` (forward + backward):
    /// oneDNN in blocked layouts won every model shape (batch 128, 2 cores: 51 ms summed over the
    /// twelve shapes, against 117 ms for oneDNN on plain NCHW and 158 ms for im2col + sgemm).
    static func fastestConvolution(for geometry: Conv2DGeometry) -> ConvolutionAlgorithm {
        .oneDNNBlocked
    }
}
