/// Which kernel `batchNorm2d` runs; every choice computes the same result within rounding.
public enum BatchNormAlgorithm: Sendable, CaseIterable {
    /// The kernel measured fastest (currently `native` on every model shape; see `Benchmarks/ConvBench`).
    case automatic
    /// oneDNN's batch-normalization primitives on plain NCHW memory.
    case oneDNN
    /// Strata's own vectorized per-channel loops.
    case native
}

extension Tensor {
    /// Batch normalization of this (N, C, H, W) tensor over N, H and W for each channel, or of an
    /// (N, C) tensor over N for each feature: `gamma · (x − mean) / √(variance + epsilon) + beta`.
    ///
    /// In `training`, mean and variance are the batch's (the biased variance), and the running
    /// statistics are updated in place the PyTorch way:
    /// `running = (1 − momentum) · running + momentum · batch`, with the unbiased batch variance for
    /// `runningVar`. Otherwise the running statistics are used and left alone.
    /// Differentiable with respect to the input, `gamma` and `beta` (in training, through the batch
    /// statistics too); `runningMean` and `runningVar` are (C) buffers, never differentiated.
    /// With `relu`, the result is `max(·, 0)` of the normalized values, as `.relu()` after this op
    /// would give, in the same passes over memory (one pass fewer forward and backward).
    ///
    /// ```swift
    /// let normalized = features.batchNorm2d(gamma: gamma, beta: beta, runningMean: mean,
    ///                                       runningVar: variance, training: true)
    /// ```
    public func batchNorm2d(gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, training: Bool,
                            momentum: Float = 0.1, epsilon: Float = 1e-5, relu: Bool = false,
                            algorithm: BatchNormAlgorithm = .automatic) -> Tensor {
        if relu && algorithm == .oneDNN {
            return batchNorm2d(gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                               training: training, momentum: momentum, epsilon: epsilon, algorithm: .oneDNN).relu()
        }
        let dims = batchNormDims(gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar)
        let channels = dims[1], perChannel = dims[0] * dims[2] * dims[3]
        precondition(!training || perChannel > 1,
                     "batchNorm2d: training needs more than one value per channel, input \(shape.shapeText)")
        let input = contiguousStorageView()
        let scale = gamma.contiguousStorageView(), shift = beta.contiguousStorageView()
        let output = Tensor(uninitializedShape: shape)
        let mean: Tensor, variance: Tensor
        if training {
            mean = Tensor(uninitializedShape: [channels])
            variance = Tensor(uninitializedShape: [channels])
        } else if Tensor.needsGrad([self, gamma, beta]) {
            mean = runningMean.copy()  // the backward pass must see the statistics of this forward pass
            variance = runningVar.copy()
        } else {
            mean = runningMean
            variance = runningVar
        }
        let kernelShape = BatchNormKernel.Shape(batch: dims[0], channels: channels, plane: dims[2] * dims[3])
        switch (algorithm, training) {
        case (.oneDNN, _):
            DNNLBatchNorm.forward(shape: dims, epsilon: epsilon, globalStatistics: !training, input: input.pointer,
                                  gamma: scale.pointer, beta: shift.pointer, mean: mean.pointer,
                                  variance: variance.pointer, output: output.pointer)
        case (.native, true), (.automatic, true):
            BatchNormKernel.forwardTraining(kernelShape, epsilon: epsilon, relu: relu, input: input.pointer, gamma: scale.pointer,
                                            beta: shift.pointer, mean: mean.pointer, variance: variance.pointer,
                                            output: output.pointer)
        case (.native, false), (.automatic, false):
            BatchNormKernel.forwardInference(kernelShape, epsilon: epsilon, relu: relu, input: input.pointer, gamma: scale.pointer,
                                             beta: shift.pointer, mean: mean.pointer, variance: variance.pointer,
                                             output: output.pointer)
        }
        if training {
            let unbias = Float(perChannel) / Float(perChannel - 1)
            for c in 0..<channels {
                runningMean.pointer[c] = (1 - momentum) * runningMean.pointer[c] + momentum * mean.pointer[c]
                runningVar.pointer[c] = (1 - momentum) * runningVar.pointer[c] + momentum * variance.pointer[c] * unbias
            }
            runningMean.storage.bumpVersion()
            runningVar.storage.bumpVersion()
        }
        if Tensor.needsGrad([self, gamma, beta]) {
            let inputShape = shape
            let reluOutput = relu ? output.detached() : nil
            // beta is read by oneDNN's backward only; mean and variance are this op's own buffers.
            let saved = [input, scale] + (algorithm == .oneDNN ? [shift] : []) + (reluOutput.map { [$0] } ?? [])
            output.record(relu ? "batchNorm2d+relu" : "batchNorm2d", [self, gamma, beta], saving: saved) { gradOutput in
                let gradient = gradOutput.contiguousStorageView()
                let gradInput = Tensor(uninitializedShape: inputShape)
                let gradGamma = Tensor(uninitializedShape: [channels])
                let gradBeta = Tensor(uninitializedShape: [channels])
                if algorithm == .oneDNN {
                    DNNLBatchNorm.backward(shape: dims, epsilon: epsilon, globalStatistics: !training,
                                           input: input.pointer, gradOutput: gradient.pointer, gamma: scale.pointer,
                                           beta: shift.pointer, mean: mean.pointer, variance: variance.pointer,
                                           gradInput: gradInput.pointer, gradGamma: gradGamma.pointer,
                                           gradBeta: gradBeta.pointer)
                } else {
                    BatchNormKernel.backward(kernelShape, epsilon: epsilon, throughStatistics: training,
                                             input: input.pointer, gradOutput: gradient.pointer,
                                             reluOutput: reluOutput.map { UnsafePointer($0.pointer) }, gamma: scale.pointer,
                                             mean: mean.pointer, variance: variance.pointer,
                                             gradInput: gradInput.pointer, gradGamma: gradGamma.pointer,
                                             gradBeta: gradBeta.pointer)
                }
                return [gradInput, gradGamma, gradBeta]
            }
        }
        return output
    }

    /// The input's shape as (N, C, H, W) (an (N, C) input is (N, C, 1, 1)), after checking that
    /// gamma, beta and the running statistics are dense (C) tensors.
    private func batchNormDims(gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor) -> [Int] {
        precondition(rank == 4 || rank == 2,
                     "batchNorm2d: input \(shape.shapeText) must have rank 4 (N, C, H, W) or 2 (N, C)")
        precondition(count > 0, "batchNorm2d: input \(shape.shapeText) is empty")
        let channels = shape[1]
        for (name, parameter) in [("gamma", gamma), ("beta", beta), ("runningMean", runningMean),
                                  ("runningVar", runningVar)] {
            precondition(parameter.shape == [channels],
                         "batchNorm2d: input \(shape.shapeText) has \(channels) channels but \(name) has shape "
                             + "\(parameter.shape.shapeText), expected (\(channels))")
        }
        precondition(runningMean.isContiguous && runningVar.isContiguous,
                     "batchNorm2d: runningMean and runningVar must be dense, they are updated in place")
        return rank == 4 ? shape : [shape[0], channels, 1, 1]
    }
}
