import StrataCore
import StrataNN

extension Model {
    /// Recomputes the moving mean and variance of every `BatchNormalization` layer as the plain mean, over
    /// the batches of `source`'s epoch `epoch`, of each batch's statistics in training mode — PyTorch's
    /// `torch.optim.swa_utils.update_bn`, for weights that were averaged (SWA) rather than trained, whose
    /// statistics no batch has measured. Returns the number of layers recomputed.
    ///
    /// Each batch's statistics are read back through the layer's own update: the moving values are set to 0
    /// before the batch, so after it they hold `(1 − momentum)` × the batch's mean and unbiased variance. A
    /// layer with momentum 1 (never updated) keeps its values. Nothing else changes: no gradients are
    /// recorded, the weights stay as they are (dropout layers draw masks as in training, as in PyTorch).
    ///
    /// ```swift
    /// averaging.copyAverageIntoWeights()
    /// model.recomputeBatchNormalization(over: trainingBatches, epoch: epochs)
    /// ```
    @discardableResult
    public func recomputeBatchNormalization(over source: any BatchSource, epoch: Int = 0) -> Int {
        var layers: [(mean: Tensor, variance: Tensor, share: Float)] = []
        var stack: [any Layer] = [network]
        while let layer = stack.popLast() {
            if let norm = layer as? BatchNormalization, norm.momentum < 1,
               let mean = norm.movingMean, let variance = norm.movingVariance {
                layers.append((mean, variance, 1 - norm.momentum))
            }
            stack.append(contentsOf: layer.sublayers)
        }
        guard !layers.isEmpty else { return 0 }
        let saved = layers.map { (mean: $0.mean.scalars, variance: $0.variance.scalars) }
        var sums = layers.map { (mean: [Double](repeating: 0, count: $0.mean.count),
                                 variance: [Double](repeating: 0, count: $0.variance.count)) }
        var batches = 0
        noGrad {
            for (inputs, _) in source.batches(epoch: epoch) {
                for layer in layers {
                    for tensor in [layer.mean, layer.variance] {
                        tensor.pointer.update(repeating: 0, count: tensor.count)
                        tensor.storage.bumpVersion()
                    }
                }
                _ = network.forward(inputs, training: true)
                for (index, layer) in layers.enumerated() {
                    for c in 0..<layer.mean.count {
                        sums[index].mean[c] += Double(layer.mean.pointer[c] / layer.share)
                        sums[index].variance[c] += Double(layer.variance.pointer[c] / layer.share)
                    }
                }
                batches += 1
            }
        }
        for (index, layer) in layers.enumerated() {
            for c in 0..<layer.mean.count {   // no batches at all: the values as they were
                layer.mean.pointer[c] = batches > 0 ? Float(sums[index].mean[c] / Double(batches)) : saved[index].mean[c]
                layer.variance.pointer[c] = batches > 0
                    ? Float(sums[index].variance[c] / Double(batches)) : saved[index].variance[c]
            }
            layer.mean.storage.bumpVersion()
            layer.variance.storage.bumpVersion()
        }
        return layers.count
    }
}
