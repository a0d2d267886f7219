import Foundation

extension Tensor {
    /// Batch normalization in training with statistics over the batches of every process of a
    /// data-parallel run (PyTorch's `SyncBatchNorm`): each channel's sum, sum of squares and count are
    /// summed over the processes by `sum` (an allreduce) before normalizing, and backward sums each
    /// channel's `Σ dy` and `Σ dy · x̂` the same way, so the result is the batch normalization of the
    /// global batch. Input `(N, C, H, W)` or `(N, C)`; `gamma`, `beta`, `runningMean`, `runningVar` `(C)`.
    ///
    /// `sum` replaces a buffer by its element-wise sum over the processes; with one process it does
    /// nothing and this op equals `batchNorm2d(…, training: true)` within rounding. The gradients of
    /// `gamma` and `beta` are this process's own sums, as data-parallel training averages them.
    public func syncBatchNorm2d(gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, momentum: Float = 0.1,
                                epsilon: Float = 1e-5, relu: Bool = false,
                                sum: @escaping (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        precondition(rank == 4 || rank == 2, "syncBatchNorm2d: input must be (N, C, H, W) or (N, C), got \(shape.shapeText)")
        let channels = shape[1], batch = shape[0], plane = rank == 4 ? shape[2] * shape[3] : 1
        for (name, tensor) in [("gamma", gamma), ("beta", beta), ("runningMean", runningMean), ("runningVar", runningVar)] {
            precondition(tensor.shape == [channels] && tensor.isContiguous,
                         "syncBatchNorm2d: \(name) must be a dense (\(channels)) tensor, got \(tensor.shape.shapeText)")
        }
        let input = contiguousStorageView()
        let x = input.pointer
        // Per channel: Σx, Σx² (in Double here, then Float for the reduction), and the count.
        let totals = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * channels + 1)
        defer { totals.deallocate() }
        for c in 0..<channels {
            var s1 = 0.0, s2 = 0.0
            for n in 0..<batch {
                let base = (n * channels + c) * plane
                for i in 0..<plane {
                    let v = Double(x[base + i])
                    s1 += v
                    s2 += v * v
                }
            }
            totals[c] = Float(s1)
            totals[channels + c] = Float(s2)
        }
        totals[2 * channels] = Float(batch * plane)
        sum(totals)
        let count = Double(totals[2 * channels])
        precondition(count > 1, "syncBatchNorm2d: training needs more than one value per channel over all processes")
        let mean = Tensor(uninitializedShape: [channels]), inverseStd = Tensor(uninitializedShape: [channels])
        for c in 0..<channels {
            let m = Double(totals[c]) / count
            let variance = Swift.max(Double(totals[channels + c]) / count - m * m, 0)
            mean.pointer[c] = Float(m)
            inverseStd.pointer[c] = Float(1 / (variance + Double(epsilon)).squareRoot())
            runningMean.pointer[c] = (1 - momentum) * runningMean.pointer[c] + momentum * Float(m)
            runningVar.pointer[c] = (1 - momentum) * runningVar.pointer[c] + momentum * Float(variance * count / (count - 1))
        }
        runningMean.storage.bumpVersion()
        runningVar.storage.bumpVersion()
        let output = Tensor(uninitializedShape: shape)
        let g = gamma.pointer, b = beta.pointer, y = output.pointer
        for n in 0..<batch {
            for c in 0..<channels {
                let base = (n * channels + c) * plane
                let m = mean.pointer[c], s = inverseStd.pointer[c]
                for i in 0..<plane {
                    let value = g[c] * (x[base + i] - m) * s + b[c]
                    y[base + i] = relu ? Swift.max(value, 0) : value
                }
            }
        }
        guard Tensor.needsGrad([self, gamma, beta]) else { return output }
        let inputShape = shape
        let reluOutput = relu ? output.detached() : nil
        output.record(relu ? "syncBatchNorm2d+relu" : "syncBatchNorm2d", [self, gamma, beta],
                      saving: [input, gamma] + (reluOutput.map { [$0] } ?? [])) { gradOutput in
            let dy = gradOutput.contiguousStorageView().copy()
            if let reluOutput {
                for i in 0..<dy.count where reluOutput.pointer[i] <= 0 { dy.pointer[i] = 0 }
            }
            let d = dy.pointer, x = input.pointer
            // Per channel: Σdy and Σdy·x̂, summed over the processes.
            let sums = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * channels)
            defer { sums.deallocate() }
            let gradGamma = Tensor(uninitializedShape: [channels]), gradBeta = Tensor(uninitializedShape: [channels])
            for c in 0..<channels {
                var a = 0.0, bSum = 0.0
                let m = mean.pointer[c], s = inverseStd.pointer[c]
                for n in 0..<batch {
                    let base = (n * channels + c) * plane
                    for i in 0..<plane {
                        a += Double(d[base + i])
                        bSum += Double(d[base + i]) * Double((x[base + i] - m) * s)
                    }
                }
                gradBeta.pointer[c] = Float(a)
                gradGamma.pointer[c] = Float(bSum)
                sums[c] = Float(a)
                sums[channels + c] = Float(bSum)
            }
            sum(sums)
            let gradInput = Tensor(uninitializedShape: inputShape)
            for n in 0..<batch {
                for c in 0..<channels {
                    let base = (n * channels + c) * plane
                    let m = mean.pointer[c], s = inverseStd.pointer[c]
                    let meanDy = Float(Double(sums[c]) / count), meanDyXhat = Float(Double(sums[channels + c]) / count)
                    let factor = gamma.pointer[c] * s
                    for i in 0..<plane {
                        let xhat = (x[base + i] - m) * s
                        gradInput.pointer[base + i] = factor * (d[base + i] - meanDy - xhat * meanDyXhat)
                    }
                }
            }
            return [gradInput, gradGamma, gradBeta]
        }
        return output
    }
}
