import StrataCore
import StrataNN

extension Model {
    /// Trains on in-memory data, as Keras's `fit`, and returns the per-epoch history.
    ///
    /// - `validationSplit`: the fraction of examples, taken from the end before shuffling, held out
    ///   for validation; ignored when `validationData` is given.
    /// - `initialEpoch`: the epoch to start from (0-based), for resuming.
    @discardableResult
    public func fit(x inputs: Tensor, y targets: Tensor, batchSize: Int = 32, epochs: Int = 1,
                    validationSplit: Float = 0, validationData: (x: Tensor, y: Tensor)? = nil, shuffle: Bool = true,
                    callbacks: [any Callback] = [], verbose: Bool = true, initialEpoch: Int = 0) throws -> History {
        guard optimizer != nil, loss != nil else {
            throw TrainingError("fit: compile(optimizer:loss:metrics:) the model before fit")
        }
        guard inputs.rank >= 1, targets.rank >= 1, inputs.shape[0] == targets.shape[0] else {
            throw TrainingError("fit: inputs \(inputs.shape) and targets \(targets.shape) have different numbers of examples")
        }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw TrainingError("fit: validationSplit must be in [0, 1), got \(validationSplit)")
        }
        var trainX = inputs, trainY = targets, validation = validationData
        if validation == nil && validationSplit > 0 {
            let n = inputs.shape[0]
            let held = Int((Double(n) * Double(validationSplit)).rounded())
            guard held > 0 && held < n else {
                throw TrainingError("fit: validationSplit \(validationSplit) of \(n) examples leaves no training or no validation data")
            }
            trainX = inputs.slice(axis: 0, 0..<(n - held)).contiguous()
            trainY = targets.slice(axis: 0, 0..<(n - held)).contiguous()
            validation = (inputs.slice(axis: 0, (n - held)..<n).contiguous(), targets.slice(axis: 0, (n - held)..<n).contiguous())
        }
        guard batchSize >= 1 && batchSize <= trainX.shape[0] else {
            throw TrainingError("fit: batch size \(batchSize) must be between 1 and the \(trainX.shape[0]) training examples")
        }
        let source = try TensorBatches(inputs: trainX, targets: trainY, batchSize: batchSize, shuffle: shuffle, seed: seed)
        let validationSource = try validation.map {
            try TensorBatches(inputs: $0.x, targets: $0.y, batchSize: Swift.max(batchSize, 256), shuffle: false)
        }
        return try fit(source, epochs: epochs, validation: validationSource, callbacks: callbacks, verbose: verbose,
                       initialEpoch: initialEpoch)
    }

    /// Trains on the batches of `source` for epochs `initialEpoch..<epochs`, evaluating on
    /// `validation` after each epoch, and returns the history of these epochs.
    @discardableResult
    public func fit(_ source: any BatchSource, epochs: Int, validation: (any BatchSource)? = nil,
                    callbacks: [any Callback] = [], verbose: Bool = true, initialEpoch: Int = 0) throws -> History {
        guard let optimizer, let loss else {
            throw TrainingError("fit: compile(optimizer:loss:metrics:) the model before fit")
        }
        guard epochs >= 0 && initialEpoch >= 0 else {
            throw TrainingError("fit: epochs (\(epochs)) and initialEpoch (\(initialEpoch)) must not be negative")
        }
        let allCallbacks: [any Callback] = (verbose ? [ProgressBar()] : []) + callbacks
        var state = TrainingState()
        state.epochs = epochs
        state.stepsPerEpoch = source.batchesPerEpoch
        state.sampleCount = source.sampleCount
        state.globalStep = initialEpoch * source.batchesPerEpoch
        var history = History()
        var lastLogs = Logs()
        stopTraining = false
        let parameters = self.parameters
        allCallbacks.forEach { $0.onTrainBegin(model: self, state: state) }
        for epoch in initialEpoch..<Swift.max(epochs, initialEpoch) {
            state.epoch = epoch
            state.batch = 0
            reseedDropout(epoch: epoch)
            allCallbacks.forEach { $0.onEpochBegin(model: self, state: state) }
            var meter = EpochMeter(metrics: metrics)
            for (batch, (inputs, targets)) in source.batches(epoch: epoch).enumerated() {
                state.batch = batch
                allCallbacks.forEach { $0.onBatchBegin(model: self, state: state) }
                let predictions = network.forward(inputs, training: true)
                let value = loss(predictions: predictions, targets: targets)
                try value.backward()
                optimizer.step(parameters)
                parameters.zeroGradients()
                state.globalStep += 1
                meter.add(loss: value.scalar, predictions: predictions.detached(), targets: targets)
                let logs = meter.logs(lossName: "loss")
                allCallbacks.forEach { $0.onBatchEnd(model: self, state: state, logs: logs) }
                if stopTraining { break }
            }
            var logs = meter.logs(lossName: "loss")
            if let validation {
                for entry in try evaluate(validation).entries { logs["val_" + entry.name] = entry.value }
            }
            history.record(epoch: epoch + 1, logs: logs.entries)
            lastLogs = logs
            allCallbacks.forEach { $0.onEpochEnd(model: self, state: state, logs: logs) }
            if stopTraining { break }
        }
        allCallbacks.forEach { $0.onTrainEnd(model: self, state: state, logs: lastLogs) }
        return history
    }

    /// Gives every `Dropout` layer a generator derived from the model's seed, the epoch and the
    /// layer's position, so an epoch's masks are the same whether or not the run was resumed.
    func reseedDropout(epoch: Int) {
        var stack: [any Layer] = [network]
        var index: UInt64 = 0
        while let layer = stack.popLast() {
            if let dropout = layer as? Dropout {
                dropout.generator = RandomGenerator(seed: seed ^ (UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15) ^ (index &* 0xC2B2_AE3D))
            }
            index += 1
            stack.append(contentsOf: layer.sublayers.reversed())
        }
    }
}
