// strata-ddpbench: data-parallel training throughput, for docs/distributed.md's scaling table.
//
//   swift build -c release --product strata-ddpbench
//   STRATA_THREADS=1 .build/release/strata-ddpbench [--only vgg,resnet20,mlp512] [--seconds 10] [--bucket-mb 25]
//   mpirun --allow-run-as-root --bind-to none -np 2 -x STRATA_THREADS=1 .build/release/strata-ddpbench
//
// Each row trains one model through TrainingLoop (the engine of `strata train`) on random images held
// in memory, with a global batch of 128 split over the processes (the same work per step whatever
// their number), gradients averaged in buckets while backward runs. After 3 warm-up steps it times
// steps for at least --seconds and prints, from rank 0, one JSON object per row: images per second of
// the whole job, milliseconds per step, processes and threads per process. bench/reference/ddp_bench.py
// measures PyTorch DistributedDataParallel (gloo) the same way.
import Foundation
import StrataCore
import StrataData
import StrataDistributed
import StrataExperiments
import StrataNN
import StrataTrain

try EnvironmentSettings.check()
try WaitPolicy.relaunchIfNeeded()
setvbuf(stdout, nil, _IOLBF, 0)

let arguments = CommandLine.arguments
let only: Set<String>? = arguments.firstIndex(of: "--only").map { Set(arguments[$0 + 1].split(separator: ",").map(String.init)) }
let minimumSeconds = arguments.firstIndex(of: "--seconds").flatMap { Double(arguments[$0 + 1]) } ?? 10
let globalBatch = 128
let bucketBytes = arguments.firstIndex(of: "--bucket-mb").flatMap { Double(arguments[$0 + 1]) }.map { Int($0 * 1_048_576) }
    ?? GradientBuckets.defaultBucketBytes

/// Notes when the timed part began and stops every rank after the same step, once rank 0 has timed
/// `minimumSeconds` (the decision is broadcast, so no rank waits in a reduction the others left).
final class StepClock: Callback {
    let warmUp: Int
    let world: Communicator
    var timedStart: DispatchTime?
    var timedSteps = 0
    let minimumSeconds: Double
    init(warmUp: Int, minimumSeconds: Double, world: Communicator) {
        self.warmUp = warmUp
        self.minimumSeconds = minimumSeconds
        self.world = world
    }
    func onBatchEnd(model: Model, state: TrainingState, logs: Logs) {
        if state.globalStep == warmUp { timedStart = DispatchTime.now(); return }
        guard let timedStart, state.globalStep > warmUp else { return }
        timedSteps = state.globalStep - warmUp
        var done: [Float] = [Double(DispatchTime.now().uptimeNanoseconds - timedStart.uptimeNanoseconds) / 1e9 >= minimumSeconds ? 1 : 0]
        try? world.broadcast(&done, root: 0)
        if done[0] > 0 { model.stopTraining = true }
    }
}

func row(_ name: String, world: Communicator, model: () throws -> Model, optimizer: any Optimizer) throws {
    let model = try model()
    model.compile(optimizer: optimizer, loss: SparseCategoricalCrossentropy(fromLogits: true))
    // Enough examples for many steps; the time is in the steps, not in cutting batches.
    let examples = globalBatch * 64
    var generator = RandomGenerator(seed: 1)
    let inputs = Tensor.randomUniform([examples] + model.inputShape, generator: &generator)
    let labels = Tensor((0..<examples).map { Float($0 % 10) })
    let source = try TensorBatches(inputs: inputs, targets: labels, batchSize: globalBatch / world.size, seed: 1,
                                   shard: DataShard(index: world.rank, of: world.size))
    let clock = StepClock(warmUp: 3, minimumSeconds: minimumSeconds, world: world)
    let loop = TrainingLoop(model: model, optimizer: optimizer, task: try SupervisedTask(model: model, source: source),
                            epochs: 1_000, stepsPerEpoch: source.batchesPerEpoch)
    loop.communicator = world
    loop.bucketBytes = bucketBytes
    loop.callbacks = [clock]
    try loop.run()
    guard let start = clock.timedStart else { return }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    var timing: [Float] = [Float(seconds), Float(clock.timedSteps)]
    try world.allreduce(&timing, .mean)
    guard world.isRoot else { return }
    let perStep = Double(timing[0]) / Double(timing[1])
    let object: [String: Any] = ["framework": "strata", "row": name, "processes": world.size, "threads": ThreadPolicy.threadCount,
                                 "images_per_second": Double(globalBatch) / perStep, "step_ms": perStep * 1e3,
                                 "global_batch": globalBatch]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

do {
    let world = try Communicator.world()
    func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }
    if wanted("mlp512") {
        var options = ModelOptions()
        options.dropout = 0.2
        try row("mlp512", world: world, model: { try Model(try ModelCatalog.make("mlp", options: options), inputShape: [784], seed: 1) },
                optimizer: RMSprop(learningRate: 1e-3))
    }
    if wanted("vgg") {
        try row("vgg", world: world, model: { try Model(try ModelCatalog.make("vgg"), inputShape: [1, 28, 28], seed: 1) },
                optimizer: Adam(learningRate: 1e-3))
    }
    if wanted("resnet20") {
        try row("resnet20", world: world, model: { try Model(try ModelCatalog.make("resnet"), inputShape: [1, 28, 28], seed: 1) },
                optimizer: SGD(learningRate: 0.1, momentum: 0.9))
    }
    try world.finalize()
} catch {
    FileHandle.standardError.write(Data("strata-ddpbench: \(error)\n".utf8))
    exit(1)
}
