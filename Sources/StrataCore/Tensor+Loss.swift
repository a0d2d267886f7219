import Foundation

/// Fused losses: each computes its value and its gradient in one pass over the data, averaged over
/// the batch.
extension Tensor {
    /// Mean cross-entropy of softmax(`logits`) `(N, C)` against integer class `labels` (N).
    public static func softmaxCrossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
        precondition(logits.rank == 2, "softmaxCrossEntropy: logits must be (N, C), got \(logits.shape)")
        let n = logits.shape[0], c = logits.shape[1]
        precondition(labels.count == n, "softmaxCrossEntropy: \(labels.count) labels for logits \(logits.shape)")
        for label in labels {
            precondition(label >= 0 && label < c, "softmaxCrossEntropy: label \(label) out of range 0..<\(c)")
        }
        // One pass per row: the probabilities (kept for backward) and −log p[label] = lse − x[label],
        // which stays exact even where p[label] underflows to 0.
        let x = logits.contiguousStorageView()
        let probabilities = Tensor(uninitializedShape: [n, c])
        var total: Double = 0
        for (i, label) in labels.enumerated() {
            let row = x.pointer + i * c
            let logSumExp = SoftmaxKernel.row(row, probabilities.pointer + i * c, c, false)
            total += Double(logSumExp - row[label])
        }
        let result = Tensor(Float(total / Double(Swift.max(n, 1))))
        if needsGrad(logits) {
            result.record("softmaxCrossEntropy", [logits]) { grad in
                // d/dlogits = (softmax − onehot) / N
                let g = probabilities.copy()
                for (i, label) in labels.enumerated() { g.pointer[i * c + label] -= 1 }
                g.scaleInPlace(by: grad.scalar / Float(Swift.max(n, 1)))
                return [g]
            }
        }
        return result
    }

    /// Mean cross-entropy of softmax(`logits`) `(N, C)` against class indices stored as values of `labels` (N).
    public static func softmaxCrossEntropy(logits: Tensor, labels: Tensor) -> Tensor {
        precondition(labels.rank == 1, "softmaxCrossEntropy: labels must be (N), got \(labels.shape)")
        return softmaxCrossEntropy(logits: logits, labels: labels.scalars.map { Int($0) })
    }

    /// Mean cross-entropy of softmax(`logits`) `(N, C)` against target distributions `(N, C)`
    /// (one-hot or smoothed labels): −Σ t · log softmax(x), averaged over N.
    public static func softmaxCrossEntropy(logits: Tensor, probabilities targets: Tensor) -> Tensor {
        precondition(logits.rank == 2 && targets.shape == logits.shape,
                     "softmaxCrossEntropy: logits \(logits.shape) and targets \(targets.shape) must both be (N, C)")
        let n = logits.shape[0]
        let logs = SoftmaxKernel.rows(logits, logarithm: true)
        let t = targets.contiguousStorageView()
        var total: Double = 0
        for i in 0..<logs.count where t.pointer[i] != 0 { total -= Double(t.pointer[i] * logs.pointer[i]) }
        let result = Tensor(Float(total / Double(Swift.max(n, 1))))
        if needsGrad(logits, targets) {
            let targetsNeed = targets.requiresGrad
            result.record("softmaxCrossEntropy", [logits, targets], saving: [t]) { grad in
                // d/dlogits = (softmax · Σt − t) / N ; d/dt = −log softmax / N
                let scale = grad.scalar / Float(Swift.max(n, 1))
                let rowTotals = t.sum(alongAxes: [1], keepingDimensions: true)
                let gradLogits = (logs.exp() * rowTotals - t) * scale
                return [gradLogits, targetsNeed ? logs * (-scale) : nil]
            }
        }
        return result
    }

    /// Mean binary cross-entropy of sigmoid(`logits`) against `targets` in [0, 1] (same shape),
    /// computed stably as max(x, 0) − x·t + log(1 + e^−|x|).
    public static func binaryCrossEntropy(logits: Tensor, targets: Tensor) -> Tensor {
        precondition(logits.shape == targets.shape,
                     "binaryCrossEntropy: logits \(logits.shape) and targets \(targets.shape) differ")
        let x = logits.contiguousStorageView(), t = targets.contiguousStorageView()
        let count = logits.count
        var total: Double = 0
        for i in 0..<count {
            let v = x.pointer[i]
            total += Double(Swift.max(v, 0) - v * t.pointer[i] + Foundation.log1p(Foundation.exp(-Swift.abs(v))))
        }
        let result = Tensor(Float(total / Double(Swift.max(count, 1))))
        if needsGrad(logits, targets) {
            let targetsNeed = targets.requiresGrad
            result.record("binaryCrossEntropy", [logits, targets], saving: [x, t]) { grad in
                // d/dx = (σ(x) − t) / count ; d/dt = −x / count
                let scale = grad.scalar / Float(Swift.max(count, 1))
                let gradLogits = MapKernel.binary(x, t, op: "binaryCrossEntropy backward",
                                                 SigmoidCrossEntropyGradientFunction(scale: scale))
                return [gradLogits, targetsNeed ? x * (-scale) : nil]
            }
        }
        return result
    }

    /// Mean of (predictions − targets)² over all elements (same shape).
    public static func meanSquaredError(predictions: Tensor, targets: Tensor) -> Tensor {
        precondition(predictions.shape == targets.shape,
                     "meanSquaredError: predictions \(predictions.shape) and targets \(targets.shape) differ")
        let difference = noGrad { predictions - targets }
        let count = predictions.count
        let d = difference.pointer
        var total: Double = 0
        for i in 0..<count { total += Double(d[i] * d[i]) }
        let result = Tensor(Float(total / Double(Swift.max(count, 1))))
        if needsGrad(predictions, targets) {
            let predictionsNeed = predictions.requiresGrad, targetsNeed = targets.requiresGrad
            result.record("meanSquaredError", [predictions, targets]) { grad in
                let g = difference * (2 * grad.scalar / Float(Swift.max(count, 1)))
                return [predictionsNeed ? g : nil, targetsNeed ? -g : nil]
            }
        }
        return result
    }
}
