import Foundation
import StrataCore
import StrataData
import StrataDistributed
import StrataNN
import StrataTrain

/// Data-parallel training through `TrainingLoop` on every rank, checked against one process:
/// - `train-equivalence`: the ranks' weights equal, bit for bit, those of one process that computes the
///   same parts' gradients one after the other and averages them (two ranks: a sum of two does not
///   depend on order; one thread per rank);
/// - `train-whole-batch`: against one process training on the whole batches, the weights agree within a
///   relative 1e-5 of the largest weight;
/// - `train-identical-weights`: after every epoch, every rank holds the same weights (allgather).
struct TrainingChecks {
    let world: Communicator
    private(set) var failures = 0

    static let epochs = 3
    static let perRank = 8

    /// `count` images of 4×4 in 3 classes (a bright row, column or diagonal, with noise).
    static func dataset(count: Int = 96) throws -> Dataset {
        var generator = RandomGenerator(seed: 5)
        var pixels: [UInt8] = [], labels: [Int] = []
        for index in 0..<count {
            let label = index % 3
            for y in 0..<4 {
                for x in 0..<4 {
                    let on = label == 0 ? y == 1 : label == 1 ? x == 2 : x == y
                    pixels.append(on ? UInt8(150 + generator.nextInt(below: 100)) : UInt8(generator.nextInt(below: 90)))
                }
            }
            labels.append(label)
        }
        return try Dataset(name: "blobs", images: pixels, labels: labels, height: 4, width: 4, classNames: ["r", "c", "d"])
    }

    static func model() throws -> Model {
        let model = try Model(inputShape: [1, 4, 4], seed: 11) {
            Flatten()
            Dense(12, activation: .tanh)
            Dense(3)
        }
        model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: [.accuracy])
        return model
    }

    static func weights(_ model: Model) -> [Float] { model.parameters.flatMap { $0.tensor.scalars } }

    /// A model with batch normalization between its layers.
    static func normalizedModel() throws -> Model {
        let model = try Model(inputShape: [1, 4, 4], seed: 13) {
            Flatten()
            Dense(12, useBias: false)   // a bias before batch norm has no effect but drifting noise under Adam
            BatchNormalization()
            ReLU()
            Dense(3)
        }
        model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true))
        return model
    }

    /// Weights and moving statistics.
    static func state(_ model: Model) -> [Float] { (model.parameters + model.buffers).flatMap { $0.tensor.scalars } }

    /// The largest difference between two states, relative to the largest value.
    static func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        (zip(a, b).map { abs($0 - $1) }.max() ?? 0) / (b.map(abs).max() ?? 1)
    }

    /// Batch-normalized training on the ranks (synchronized or not) and on whole batches in one process.
    func normalizedRuns(synchronized: Bool) throws -> (parallel: [Float], whole: [Float]) {
        let data = try Self.dataset()
        let parallel = try Self.normalizedModel()
        if synchronized { parallel.synchronizeBatchNormalization(over: world) }
        let shard = DataLoader(data, batchSize: Self.perRank, seed: 3, threads: 1, shard: DataShard(index: world.rank, of: world.size))
        try parallel.fit(try DataLoaderBatches(shard, inputShape: parallel.inputShape), epochs: Self.epochs, verbose: false,
                         communicator: world)
        let whole = try Self.normalizedModel()
        let all = DataLoader(data, batchSize: Self.perRank * world.size, seed: 3, threads: 1)
        try whole.fit(try DataLoaderBatches(all, inputShape: whole.inputShape), epochs: Self.epochs, verbose: false)
        return (Self.state(parallel), Self.state(whole))
    }

    /// Keeps each epoch's weights of every rank (gathered), to compare them.
    final class GatherWeights: Callback {
        let world: Communicator
        var identical = true
        init(world: Communicator) { self.world = world }
        func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
            let mine = TrainingChecks.weights(model)
            guard let all = try? world.allgather(mine) else { identical = false; return }
            for rank in 0..<world.size where Array(all[(rank * mine.count)..<((rank + 1) * mine.count)]) != mine {
                identical = false
            }
        }
    }

    /// The data-parallel run on the world: each rank its shard, gradients averaged by the loop.
    func dataParallel(gather: GatherWeights, images: Int = 96, bucketBytes: Int = GradientBuckets.defaultBucketBytes) throws -> Model {
        let model = try Self.model()
        let loader = DataLoader(try Self.dataset(count: images), batchSize: Self.perRank, seed: 3, threads: 1,
                                shard: DataShard(index: world.rank, of: world.size))
        let source = try DataLoaderBatches(loader, inputShape: model.inputShape)
        let loop = TrainingLoop(model: model, optimizer: model.optimizer!, task: try SupervisedTask(model: model, source: source),
                                epochs: Self.epochs, stepsPerEpoch: source.batchesPerEpoch)
        loop.communicator = world
        loop.bucketBytes = bucketBytes
        loop.callbacks = [gather]
        try loop.run()
        return model
    }

    /// One process: each step, every part's gradient in turn, then their mean, then the step.
    func partsInOneProcess() throws -> Model {
        let model = try Self.model()
        let data = try Self.dataset()
        let loaders = (0..<world.size).map {
            DataLoader(data, batchSize: Self.perRank, seed: 3, threads: 1, shard: DataShard(index: $0, of: world.size))
        }
        let optimizer = model.optimizer!, loss = model.loss!, parameters = model.parameters
        for epoch in 0..<Self.epochs {
            for number in 0..<loaders[0].batchCount {
                var sums: [[Float]]?
                for loader in loaders {
                    let batch = loader.batch(number, ofEpoch: epoch)
                    try loss(predictions: model(batch.images.reshaped([batch.count, 1, 4, 4]), training: true),
                             targets: batch.labels).backward()
                    let gradients = parameters.map { $0.tensor.grad!.scalars }
                    sums = sums.map { zip($0, gradients).map { zip($0, $1).map { $0 + $1 } } } ?? gradients
                    parameters.zeroGradients()
                }
                for (parameter, sum) in zip(parameters, sums!) {
                    parameter.tensor.grad = Tensor(shape: parameter.tensor.shape, scalars: sum.map { $0 / Float(world.size) })
                }
                optimizer.step(parameters)
                parameters.zeroGradients()
            }
        }
        return model
    }

    /// One process on the whole batches (`perRank × ranks`).
    func wholeBatches(images: Int = 96) throws -> Model {
        let model = try Self.model()
        let loader = DataLoader(try Self.dataset(count: images), batchSize: Self.perRank * world.size, seed: 3, threads: 1)
        let source = try DataLoaderBatches(loader, inputShape: model.inputShape)
        try model.fit(source, epochs: Self.epochs, verbose: false)
        return model
    }

    mutating func run() {
        do {
            let gather = GatherWeights(world: world)
            let trained = Self.weights(try dataParallel(gather: gather))
            report("train-identical-weights", gather.identical)
            let reference = Self.weights(try partsInOneProcess())
            report("train-equivalence", trained == reference)
            // Buckets of 64 bytes: reductions start one after another while backward runs; the same bits.
            let small = Self.weights(try dataParallel(gather: GatherWeights(world: world), bucketBytes: 64))
            report("train-equivalence-small-buckets", small == reference)
            // 99 images: each epoch's last global batch of 3 splits 2 + 1, and the part of 1 weighs half.
            for images in [96, 99] {
                let parallel = images == 96 ? trained : Self.weights(try dataParallel(gather: GatherWeights(world: world), images: images))
                let whole = Self.weights(try wholeBatches(images: images))
                let scale = whole.map(abs).max() ?? 1
                let difference = zip(parallel, whole).map { abs($0 - $1) }.max() ?? 0
                print("rank \(world.rank): \(images) images: largest difference from whole batches \(difference) (largest weight \(scale))")
                report("train-whole-batch-\(images)", difference <= 1e-5 * scale)
            }
            // Synchronized batch norm normalizes with the global batch: the whole-batch run within 1e-4;
            // with each rank's own statistics the runs part further.
            let synced = try normalizedRuns(synchronized: true), local = try normalizedRuns(synchronized: false)
            let syncedDifference = Self.relativeDifference(synced.parallel, synced.whole)
            let localDifference = Self.relativeDifference(local.parallel, local.whole)
            print("rank \(world.rank): batch norm against whole batches: synchronized \(syncedDifference), local \(localDifference)")
            report("train-sync-batch-norm", syncedDifference <= 1e-4 && localDifference > 10 * syncedDifference)
            // The Swift API: fit(x:y:communicator:) against fit on the whole batches in one process.
            let inputs = Tensor.randomNormal([90, 1, 4, 4], seed: 21)
            let targets = Tensor((0..<90).map { Float($0 % 3) })
            let parallel = try Self.model(), single = try Self.model()
            try parallel.fit(x: inputs, y: targets, batchSize: Self.perRank, epochs: 2, verbose: false, communicator: world)
            try single.fit(x: inputs, y: targets, batchSize: Self.perRank * world.size, epochs: 2, verbose: false)
            let difference = zip(Self.weights(parallel), Self.weights(single)).map { abs($0 - $1) }.max() ?? 0
            report("fit-api", difference <= 1e-5 * (Self.weights(single).map(abs).max() ?? 1))
        } catch {
            print("rank \(world.rank): training check failed: \(error)")
            failures += 1
        }
    }

    private mutating func report(_ name: String, _ passed: Bool) {
        print("rank \(world.rank): \(name) \(passed ? "ok" : "FAILED")")
        if !passed { failures += 1 }
    }
}
