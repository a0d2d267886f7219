// Inference rows of strata-bench: batch-1 latency and batch-256 throughput of four catalog models
// through `Model.predict` (no autograd tape, inference mode, the compiled oneDNN path), as PyTorch's
// `torch.inference_mode()` and Keras's `predict_on_batch` in bench/reference/.
import Foundation
import StrataCore
import StrataExperiments
import StrataTrain

/// An inference row's model: its name in the rows (`cnn-infer-b1`), in the catalog, and its input shape.
struct InferenceModel {
    /// The prefix of its rows, as in bench/reference/benchcommon.py.
    let rowName: String
    /// Its name in `ModelCatalog`.
    let catalogName: String
    /// One example's shape.
    let inputShape: [Int]

    /// `mlp` (784 → 512 → 512 → 10), `cnn`, `vgg` and `resnet20`, the models of the inference rows.
    static let all = [
        InferenceModel(rowName: "mlp", catalogName: "mlp", inputShape: [784]),
        InferenceModel(rowName: "cnn", catalogName: "cnn", inputShape: [1, 28, 28]),
        InferenceModel(rowName: "vgg", catalogName: "vgg", inputShape: [1, 28, 28]),
        InferenceModel(rowName: "resnet20", catalogName: "resnet", inputShape: [1, 28, 28]),
    ]

    /// The batch of the latency rows (`-b1`, median time per call) and of the throughput rows (`-b256`, mean).
    static let latencyBatch = 1, throughputBatch = 256

    /// The row's name for a batch of `batch`: `cnn-infer-b1`.
    func rowName(batch: Int) -> String { "\(rowName)-infer-b\(batch)" }
}

/// Median wall-clock and mean CPU seconds per call of `call`: 10 untimed warm-up calls, then each call
/// timed on its own for at least `minimumSeconds` and at least 100 calls. The median keeps a latency
/// from the slow calls that a busy machine or a page fault adds.
func timeCallsMedian(_ call: () throws -> Void) rethrows -> StepTiming {
    let memory = RowMemory.start()
    for _ in 0..<10 { try call() }
    var durations: [Double] = []
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = processCPUSeconds()
    var elapsed = 0.0
    while elapsed < minimumSeconds || durations.count < 100 {
        let callStart = DispatchTime.now().uptimeNanoseconds
        try call()
        let now = DispatchTime.now().uptimeNanoseconds
        durations.append(Double(now - callStart) / 1e9)
        elapsed = Double(now - start) / 1e9
    }
    durations.sort()
    let middle = durations.count / 2
    let median = durations.count % 2 == 1 ? durations[middle] : (durations[middle - 1] + durations[middle]) / 2
    return StepTiming(seconds: median, cpuSeconds: (processCPUSeconds() - cpuStart) / Double(durations.count),
                      memory: RowMemory.finished(memory))
}

/// Times `model`'s inference path, `Model.predict` (no gradients, inference mode, the network compiled
/// for inference unless `--layer-by-layer`), on random inputs of `batch` examples: the median call at
/// batch 1 (a latency), the mean at larger batches (a throughput).
func inferenceRow(_ spec: InferenceModel, batch: Int) throws -> Row {
    let model = try Model(try ModelCatalog.make(spec.catalogName), inputShape: spec.inputShape, seed: 1)
    var generator = RandomGenerator(seed: 4)
    let inputs = Tensor.randomUniform([batch] + spec.inputShape, generator: &generator)
    model.usesCompiledInference = !layerByLayer
    let predict = { _ = model.predict(inputs, batchSize: batch) }
    BufferPool.shared.resetPeak()
    let isLatency = batch == InferenceModel.latencyBatch
    let timing = isLatency ? timeCallsMedian(predict) : timeSteps(predict)
    return Row(name: spec.rowName(batch: batch), unit: "images/s", perSecond: Double(batch) / timing.seconds,
               stepMilliseconds: timing.seconds * 1e3, cpuMilliseconds: timing.cpuSeconds * 1e3, gflops: nil,
               peakMegabytes: Double(BufferPool.shared.peakLiveBytes) / 1_048_576,
               statistic: isLatency ? "median" : "mean", memory: timing.memory)
}
