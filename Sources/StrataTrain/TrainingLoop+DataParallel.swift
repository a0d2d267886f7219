import StrataCore
import StrataDistributed
import StrataNN

/// Data-parallel training on `TrainingLoop.communicator` (one process per machine or socket, started
/// by `mpirun`): every rank runs the same loop on its own part of each batch (`DataShard`), and after
/// backward the gradients are averaged over the ranks in buckets (`GradientBuckets`), so every rank
/// takes the same optimizer step and holds the same weights. Two control values travel in the same
/// reduction: the step's loss (so a NaN on any rank stops every rank before the step) and whether a
/// rank received Ctrl-C or SIGTERM (so every rank stops after the same step). With one process none of
/// this runs and the loop is exactly the single-process one.
extension TrainingLoop {
    /// The extras key of the number of processes a checkpoint was trained with.
    public static let worldSizeKey = "world_size"

    /// Whether this loop trains across several processes.
    var isDataParallel: Bool { communicator.size > 1 }

    /// Makes every rank start from rank 0's weights and buffers.
    func broadcastState() throws {
        guard isDataParallel else { return }
        for parameter in parameters + buffers {
            let tensor = parameter.tensor
            precondition(tensor.isContiguous, "TrainingLoop: parameter '\(parameter.name)' is a strided view")
            try communicator.broadcast(UnsafeMutableBufferPointer(start: tensor.pointer, count: tensor.count), root: 0)
            tensor.storage.bumpVersion()
        }
    }

    /// Replaces every parameter's gradient by its mean over the ranks, and returns the mean of the
    /// ranks' losses and whether any rank asked to stop.
    ///
    /// A rank whose step held fewer examples than a full one (its part of an epoch's smaller last batch)
    /// weighs its gradient and loss by `count / full` before the reduction, and the means are divided by
    /// the ranks' mean weight after it: the result is the mean over every example of every rank. Full
    /// steps have weight 1, which leaves their bits alone.
    ///
    /// Backward runs here: each parameter's gradient goes to its bucket the moment backward completes it,
    /// and a full bucket's reduction starts while backward goes on through the earlier layers.
    func backwardAveragingGradients(_ loss: Tensor, localLoss: Float, stopRequested: Bool) throws -> (loss: Float, stop: Bool) {
        let buckets = try gradientBuckets()
        let indices = parameterIndices()
        let weight = task.stepExamples.map { Float($0.count) / Float(Swift.max($0.full, 1)) } ?? 1
        var marked = [Bool](repeating: false, count: parameters.count)
        try loss.backward { leaf in
            guard let index = indices[ObjectIdentifier(leaf)], let gradient = leaf.grad, gradient.isContiguous,
                  gradient.shape == leaf.shape else { return }
            if weight != 1 { self.scale(gradient, by: weight) }
            try buckets.markReady(index, gradient: gradient)
            marked[index] = true
        }
        control[0] = localLoss * weight
        control[1] = stopRequested ? 1 : 0
        control[2] = weight
        try buckets.markReady(parameters.count, gradient: control)
        for index in parameters.indices.reversed() where !marked[index] {
            let tensor = parameters[index].tensor
            let gradient: Tensor
            if let existing = tensor.grad, existing.isContiguous, existing.shape == tensor.shape {
                gradient = existing
            } else {
                // No gradient (a parameter this step did not reach) or a strided one: a dense one to reduce into.
                gradient = tensor.grad.map { $0.contiguous() } ?? Tensor.zeros(tensor.shape)
                tensor.grad = gradient
            }
            if weight != 1 { scale(gradient, by: weight) }
            try buckets.markReady(index, gradient: gradient)
        }
        try buckets.finish()
        let meanWeight = control[2]
        if meanWeight != 1 {
            for parameter in parameters { scale(parameter.tensor.grad, by: 1 / meanWeight) }
            control[0] /= meanWeight
        }
        return (control[0], control[1] > 0)
    }

    /// Multiplies a gradient in place.
    private func scale(_ gradient: Tensor?, by factor: Float) {
        guard let gradient else { return }
        precondition(gradient.isContiguous, "TrainingLoop: a strided gradient of shape \(gradient.shape)")
        let values = gradient.pointer
        for index in 0..<gradient.count { values[index] *= factor }
    }

    /// `logs` with every training entry (those not starting with `val_`, which every rank computes on
    /// the same validation data) replaced by its mean over the ranks.
    func averageLogs(_ logs: Logs) throws -> Logs {
        guard isDataParallel else { return logs }
        let names = logs.entries.map(\.name).filter { !$0.hasPrefix("val_") }
        var values = names.map { Float(logs[$0]!) }
        try communicator.allreduce(&values, .mean)
        var averaged = logs
        for (name, value) in zip(names, values) { averaged[name] = Double(value) }
        return averaged
    }

    /// Each parameter tensor's index in `parameters`.
    private func parameterIndices() -> [ObjectIdentifier: Int] {
        if let existing = indexOfParameter { return existing }
        let made = Dictionary(parameters.enumerated().map { (ObjectIdentifier($1.tensor), $0) }) { first, _ in first }
        indexOfParameter = made
        return made
    }

    /// The buckets for the parameters' gradients and the control values, made at the first step.
    private func gradientBuckets() throws -> GradientBuckets {
        if let existing = buckets { return existing }
        let made = GradientBuckets(counts: parameters.map(\.tensor.count) + [control.count], communicator: communicator,
                                   bucketBytes: bucketBytes)
        buckets = made
        return made
    }
}

extension Model {
    /// Makes every `BatchNormalization` layer normalize with the statistics of the global batch of all
    /// processes of `communicator` while training (PyTorch's `SyncBatchNorm`); returns how many layers
    /// there are. A failed reduction ends the process (the other ranks stop with it, as MPI jobs do).
    @discardableResult
    public func synchronizeBatchNormalization(over communicator: Communicator) -> Int {
        var stack: [any Layer] = [network]
        var count = 0
        while let layer = stack.popLast() {
            if let norm = layer as? BatchNormalization {
                count += 1
                norm.synchronization = communicator.size > 1 ? { buffer in
                    do {
                        try communicator.allreduce(buffer, .sum)
                    } catch {
                        fatalError("synchronized batch normalization: \(error)")
                    }
                } : nil
            }
            stack.append(contentsOf: layer.sublayers)
        }
        return count
    }
}
