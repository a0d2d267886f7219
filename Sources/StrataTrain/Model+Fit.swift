import StrataCore
import StrataData
import StrataDistributed
import StrataNN

extension Model {
    /// Trains on in-memory data, as Keras's `fit`, and returns the per-epoch history.
    ///
    /// - `validationSplit`: the fraction of examples, taken from the end before shuffling, held out
    ///   for validation; ignored when `validationData` is given.
    /// - `initialEpoch`: the epoch to start from (0-based), for resuming.
    /// - `allowNonFiniteLoss`: train on through NaN or infinite losses instead of stopping with
    ///   `NonFiniteLossError`.
    /// - `communicator`: the processes training together under `mpirun` (`try Communicator.world()`):
    ///   each takes its part of every batch of `batchSize × processes` examples and the gradients are
    ///   averaged, so every process ends with the same weights; only rank 0 shows progress.
    @discardableResult
    public func fit(x inputs: Tensor, y targets: Tensor, batchSize: Int = 32, epochs: Int = 1,
                    validationSplit: Float = 0, validationData: (x: Tensor, y: Tensor)? = nil, shuffle: Bool = true,
                    callbacks: [any Callback] = [], verbose: Bool = true, initialEpoch: Int = 0,
                    allowNonFiniteLoss: Bool = false, communicator: Communicator = .local) throws -> History {
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
        guard batchSize * communicator.size <= trainX.shape[0] else {
            throw TrainingError("fit: batch size \(batchSize) × \(communicator.size) processes is more than the "
                                + "\(trainX.shape[0]) training examples")
        }
        let source = try TensorBatches(inputs: trainX, targets: trainY, batchSize: batchSize, shuffle: shuffle, seed: seed,
                                       shard: DataShard(index: communicator.rank, of: communicator.size))
        let validationSource = try validation.map {
            try TensorBatches(inputs: $0.x, targets: $0.y, batchSize: Swift.max(batchSize, 256), shuffle: false)
        }
        return try fit(source, epochs: epochs, validation: validationSource, callbacks: callbacks, verbose: verbose,
                       initialEpoch: initialEpoch, allowNonFiniteLoss: allowNonFiniteLoss, communicator: communicator)
    }

    /// Trains on the batches of `source` for epochs `initialEpoch..<epochs`, evaluating on
    /// `validation` after each epoch, and returns the history of these epochs. Runs on
    /// `TrainingLoop`; a NaN or infinite loss stops training with `NonFiniteLossError` unless
    /// `allowNonFiniteLoss`. With a `communicator` of several processes, `source` must give each
    /// process its own part of every batch (a `DataShard`), and the gradients are averaged.
    @discardableResult
    public func fit(_ source: any BatchSource, epochs: Int, validation: (any BatchSource)? = nil,
                    callbacks: [any Callback] = [], verbose: Bool = true, initialEpoch: Int = 0,
                    allowNonFiniteLoss: Bool = false, communicator: Communicator = .local) throws -> History {
        guard let optimizer else {
            throw TrainingError("fit: compile(optimizer:loss:metrics:) the model before fit")
        }
        guard epochs >= 0 && initialEpoch >= 0 else {
            throw TrainingError("fit: epochs (\(epochs)) and initialEpoch (\(initialEpoch)) must not be negative")
        }
        let task = try SupervisedTask(model: self, source: source, validation: validation)
        let loop = TrainingLoop(model: self, optimizer: optimizer, task: task, epochs: epochs,
                                stepsPerEpoch: source.batchesPerEpoch, sampleCount: source.sampleCount)
        loop.callbacks = (verbose && communicator.isRoot ? [ProgressBar()] : []) + callbacks
        loop.allowsNonFiniteLoss = allowNonFiniteLoss
        loop.communicator = communicator
        try loop.start(atEpoch: initialEpoch)
        return try loop.run()
    }

    /// Gives every `Dropout` layer a generator derived from the model's seed, the epoch and the
    /// layer's position, so an epoch's masks are the same whether or not the run was resumed.
    func reseedDropout(epoch: Int) {
        for (index, dropout) in dropoutLayers {
            dropout.generator = RandomGenerator(seed: seed ^ (UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15) ^ (index &* 0xC2B2_AE3D))
        }
    }

    /// Every `Dropout` layer with its position in a depth-first walk of the network.
    var dropoutLayers: [(index: UInt64, layer: Dropout)] {
        var stack: [any Layer] = [network]
        var index: UInt64 = 0
        var found: [(UInt64, Dropout)] = []
        while let layer = stack.popLast() {
            if let dropout = layer as? Dropout { found.append((index, dropout)) }
            index += 1
            stack.append(contentsOf: layer.sublayers.reversed())
        }
        return found
    }
}
