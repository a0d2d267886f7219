// strata-bench: training-step throughput of the models of the Strata experiments, and inference.
//
//   swift run -c release strata-bench [--quick] [--only name,name] [--json] [--unfused] [--layer-by-layer] [--precision f32|bf16|auto]
//                                  [--flush-denormals]
//
// Times full training steps (forward, backward, optimizer step) on data already in memory, warm-up
// excluded, with the thread count of STRATA_THREADS (default: all cores), and prints images per
// second (pairs per second for RankNet), the convnets' GFLOP/s beside the machine's sgemm peak, and
// the peak memory of tensors and of the process (the resident set size before the first step and its
// peak during the steps, from /proc/self/status as bench/reference/ reads it). Inference rows
// (InferenceRows.swift): batch-1 latency (`cnn-infer-b1`, the median call) and batch-256 throughput
// (`cnn-infer-b256`) of `mlp`, `cnn`, `vgg` and `resnet20` through `Model.predict`. The same models, built in PyTorch and Keras, are in bench/reference/;
// `--json` prints one JSON object per row instead of the table, the form bench/compare reads.
// `--unfused` runs BatchNormalization → ReLU as two ops instead of one fused op, to measure the fusion;
// `--layer-by-layer` runs the inference rows through each layer's `forward` (`usesCompiledInference = false`).
// `--precision bf16` runs the training rows' forward and backward in bfloat16 mixed precision (`Precision`;
// refused where the CPU has no native bfloat16); `auto` uses bf16 where native. Inference rows stay f32.
// `--flush-denormals` sets flush-to-zero and denormals-are-zero on the main thread before any kernel runs
// (OpenMP's workers, created later, inherit it; GCD's do not), as TensorFlow and XLA run: an experiment,
// not Strata's default, which keeps IEEE subnormals as PyTorch does.
import CBLAS
import CDNNL
import CStrataKernels
import Foundation
import StrataCore
import StrataExperiments
import StrataNN
import StrataTrain

try EnvironmentSettings.check()
try WaitPolicy.relaunchIfNeeded()

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let json = arguments.contains("--json")
let only: Set<String>? = arguments.firstIndex(of: "--only").map { Set(arguments[$0 + 1].split(separator: ",").map(String.init)) }
let minimumSeconds = quick ? 1.0 : 5.0
if arguments.contains("--unfused") { Sequential.fusesBatchNormReLU = false }
if arguments.contains("--flush-denormals") && strata_set_flush_denormals(1) == 0 {
    FileHandle.standardError.write(Data("strata-bench: --flush-denormals is not supported on this CPU\n".utf8))
    exit(1)
}
/// Whether the inference rows run each layer's own `forward` instead of the network compiled for inference.
let layerByLayer = arguments.contains("--layer-by-layer")
/// The precision of the training rows (`--precision`, default f32).
let precision: Precision = {
    guard let index = arguments.firstIndex(of: "--precision") else { return .float32 }
    let name = index + 1 < arguments.count ? arguments[index + 1] : ""
    guard let request = PrecisionRequest(name: name) else {
        FileHandle.standardError.write(Data("strata-bench: --precision must be f32, bf16 or auto, got '\(name)'\n".utf8))
        exit(2)
    }
    do {
        return try request.resolved()
    } catch {
        FileHandle.standardError.write(Data("strata-bench: \(error)\n".utf8))
        exit(2)
    }
}()

/// One benchmark row.
struct Row {
    /// The row's name in the table; `key` is its name in JSON (and in bench/reference/).
    let name: String
    var key: String { name.hasPrefix("argmax") ? "argmax" : name }
    let unit: String
    let perSecond: Double
    let stepMilliseconds: Double
    /// The CPU time of the whole process (all threads) per step: with one thread, a measure that
    /// other programs on the machine disturb far less than the wall-clock step time.
    let cpuMilliseconds: Double
    let gflops: Double?
    let peakMegabytes: Double
    /// How the steps' times make `stepMilliseconds`: their "mean", or their "median" (the latency rows).
    var statistic = "mean"
    /// The process's memory around the timing (nil where /proc cannot be read).
    var memory: RowMemory? = nil
    /// The precision the row's convolutions and matrix products ran in.
    var precision = Precision.float32
}

/// Wall-clock and process CPU seconds per step, and the process's memory meanwhile.
struct StepTiming {
    let seconds: Double
    let cpuSeconds: Double
    var memory: RowMemory? = nil
}

/// A row's process memory: the resident set size right before the first (warm-up) step, with the
/// model and the batch made, and its peak from then to the end of the timing (VmHWM, reset at the start).
struct RowMemory {
    let residentBeforeBytes: Int
    let peakResidentBytes: Int
    /// Whether the peak was reset at the start; if not, it is the process's peak since it started.
    let peakWasReset: Bool

    /// Reads the resident size and resets the peak; call `finished()` on the result after the timing.
    static func start() -> (before: ProcessMemory?, reset: Bool) {
        let before = ProcessMemory.current()
        return (before, ProcessMemory.resetPeak())
    }

    /// The memory of a timing begun with `start()`.
    static func finished(_ start: (before: ProcessMemory?, reset: Bool)) -> RowMemory? {
        guard let before = start.before, let after = ProcessMemory.current() else { return nil }
        return RowMemory(residentBeforeBytes: before.residentBytes, peakResidentBytes: after.peakResidentBytes,
                         peakWasReset: start.reset)
    }
}

/// CPU time of the process so far (all threads), in seconds.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Runs `step` for warm-up, then for at least `minimumSeconds`; returns the time per step.
func timeSteps(_ step: () throws -> Void) rethrows -> StepTiming {
    let memory = RowMemory.start()
    for _ in 0..<3 { try step() }
    var steps = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = processCPUSeconds()
    var elapsed = 0.0
    while elapsed < minimumSeconds || steps < 5 {
        try step()
        steps += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    return StepTiming(seconds: elapsed / Double(steps), cpuSeconds: (processCPUSeconds() - cpuStart) / Double(steps),
                      memory: RowMemory.finished(memory))
}

/// Times training steps of `model` on random inputs of `batch` examples with integer labels.
func classifierRow(_ name: String, model: Model, optimizer: any Optimizer, batch: Int) throws -> Row {
    var generator = RandomGenerator(seed: 1)
    let inputs = Tensor.randomUniform([batch] + model.inputShape, generator: &generator)
    let labels = Tensor((0..<batch).map { Float($0 % 10) })
    model.compile(optimizer: optimizer, loss: SparseCategoricalCrossentropy(fromLogits: true))
    let loss = model.loss!
    let parameters = model.parameters
    BufferPool.shared.resetPeak()
    let timing = try timeSteps {
        let value = loss(predictions: Precision.with(precision) { model(inputs, training: true) }, targets: labels)
        try value.backward()
        optimizer.step(parameters)
        parameters.zeroGradients()
    }
    let seconds = timing.seconds
    let flops = try FlopCounter.forward(model.network, inputShape: model.inputShape)
    let isConvnet = flops > 10e6
    return Row(name: name, unit: "images/s", perSecond: Double(batch) / seconds, stepMilliseconds: seconds * 1e3,
               cpuMilliseconds: timing.cpuSeconds * 1e3,
               gflops: isConvnet ? 3 * flops * Double(batch) / seconds / 1e9 : nil,
               peakMegabytes: Double(BufferPool.shared.peakLiveBytes) / 1_048_576, memory: timing.memory, precision: precision)
}

/// The RankNet scorer on both images of each pair, BCE on the score difference.
func rankNetRow(pairs: Int) throws -> Row {
    let scorer = try Model(inputShape: [1, 28, 28], seed: 1) {
        Conv2D(8, kernelSize: 5, strides: 2, activation: .relu)
        Conv2D(16, kernelSize: 5, strides: 2, activation: .relu)
        Flatten()
        Dense(10, activation: .relu)
        Dense(1)
    }
    var generator = RandomGenerator(seed: 2)
    let a = Tensor.randomUniform([pairs, 1, 28, 28], generator: &generator)
    let b = Tensor.randomUniform([pairs, 1, 28, 28], generator: &generator)
    let targets = Tensor.randomUniform([pairs, 1], generator: &generator).isGreater(0.5)
    let optimizer = Adam(learningRate: 1e-3)
    let parameters = scorer.parameters
    let loss = RankNetLoss()
    BufferPool.shared.resetPeak()
    let timing = try timeSteps {
        let (scoresA, scoresB) = Precision.with(precision) { (scorer(a, training: true), scorer(b, training: true)) }
        let value = loss(scoresA: scoresA, scoresB: scoresB, targets: targets)
        try value.backward()
        optimizer.step(parameters)
        parameters.zeroGradients()
    }
    let seconds = timing.seconds
    return Row(name: "ranknet", unit: "pairs/s", perSecond: Double(pairs) / seconds, stepMilliseconds: seconds * 1e3,
               cpuMilliseconds: timing.cpuSeconds * 1e3,
               gflops: nil, peakMegabytes: Double(BufferPool.shared.peakLiveBytes) / 1_048_576, memory: timing.memory, precision: precision)
}

/// Inference of the argmax experiment's residual MLP on batches of 500 score vectors.
func argmaxRow() throws -> Row {
    let model = try Model(inputShape: [10], seed: 1) {
        for _ in 0..<3 { Residual { Dense(60, activation: .relu); Dense(10) } }
        Dense(1)
    }
    var generator = RandomGenerator(seed: 3)
    let inputs = Tensor.randomUniform([500, 10], generator: &generator)
    BufferPool.shared.resetPeak()
    let timing = timeSteps { _ = noGrad { model(inputs) } }
    let seconds = timing.seconds
    return Row(name: "argmax (inference)", unit: "vectors/s", perSecond: 500 / seconds, stepMilliseconds: seconds * 1e3,
               cpuMilliseconds: timing.cpuSeconds * 1e3,
               gflops: nil, peakMegabytes: Double(BufferPool.shared.peakLiveBytes) / 1_048_576, memory: timing.memory)
}

/// The machine's sgemm peak: the faster of oneDNN's and OpenBLAS's 1024³ products, by the wall clock
/// and by CPU time, and the library that reached it.
func sgemmPeak() -> (wallClock: Double, cpuTime: Double, library: String) {
    let n = 1024
    let a = Tensor.randomNormal([n, n], seed: 1), b = Tensor.randomNormal([n, n], seed: 2), c = Tensor.zeros([n, n])
    let flops = 2 * Double(n * n * n)
    let oneDNN = timeSteps {
        _ = dnnl_sgemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), Int64(n), Int64(n), Int64(n), 1,
                       a.pointer, Int64(n), b.pointer, Int64(n), 0, c.pointer, Int64(n))
    }
    let openBLAS = timeSteps {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a.pointer, Int32(n),
                    b.pointer, Int32(n), 0, c.pointer, Int32(n))
    }
    let (timing, library) = oneDNN.seconds <= openBLAS.seconds ? (oneDNN, "oneDNN") : (openBLAS, "OpenBLAS")
    return (flops / timing.seconds / 1e9, flops / timing.cpuSeconds / 1e9, library)
}

func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }

let banner = "strata-bench: \(ThreadPolicy.threadCount) threads, \(ProcessInfo.processInfo.activeProcessorCount) cores, \(quick ? "quick" : "full") timing, "
    + "training in \(precision.rawValue) (oneDNN ISA \(Precision.effectiveISAName))"
if json { FileHandle.standardError.write(Data((banner + "\n").utf8)) } else { print(banner) }
var rows: [Row] = []
do {
    if wanted("mlp-small") {
        rows.append(try classifierRow("mlp-small", model: Model(try ModelCatalog.make("mlp-small"), inputShape: [28, 28], seed: 1),
                                      optimizer: Adam(learningRate: 1e-3), batch: 64))
    }
    if wanted("mlp512") {
        var options = ModelOptions()
        options.dropout = 0.2
        rows.append(try classifierRow("mlp512", model: Model(try ModelCatalog.make("mlp", options: options), inputShape: [784], seed: 1),
                                      optimizer: RMSprop(learningRate: 1e-3), batch: 128))
    }
    if wanted("dense128-b16") {
        rows.append(try classifierRow("dense128-b16", model: Model(try ModelCatalog.make("dense128"), inputShape: [784], seed: 1),
                                      optimizer: Adam(learningRate: 1e-3), batch: 16))
    }
    if wanted("ranknet") { rows.append(try rankNetRow(pairs: 32)) }
    if wanted("cnn") {
        rows.append(try classifierRow("cnn", model: Model(try ModelCatalog.make("cnn"), inputShape: [1, 28, 28], seed: 1),
                                      optimizer: Adam(learningRate: 1e-3), batch: 128))
    }
    if wanted("vgg") {
        rows.append(try classifierRow("vgg", model: Model(try ModelCatalog.make("vgg"), inputShape: [1, 28, 28], seed: 1),
                                      optimizer: Adam(learningRate: 1e-3), batch: 128))
    }
    if wanted("resnet20") {
        rows.append(try classifierRow("resnet20", model: Model(try ModelCatalog.make("resnet"), inputShape: [1, 28, 28], seed: 1),
                                      optimizer: SGD(learningRate: 0.1, momentum: 0.9), batch: 128))
    }
    if wanted("argmax") { rows.append(try argmaxRow()) }
    for model in InferenceModel.all {
        for batch in [InferenceModel.latencyBatch, InferenceModel.throughputBatch] where wanted(model.rowName(batch: batch)) {
            rows.append(try inferenceRow(model, batch: batch))
        }
    }
} catch {
    FileHandle.standardError.write(Data("strata-bench: \(error)\n".utf8))
    exit(1)
}
let (peak, cpuPeak, peakLibrary) = sgemmPeak()
if json {
    for row in rows {
        var object: [String: Any] = ["framework": "strata", "row": row.key, "unit": row.unit, "per_second": row.perSecond,
                                     "step_ms": row.stepMilliseconds, "cpu_ms": row.cpuMilliseconds,
                                     "threads": ThreadPolicy.threadCount, "peak_tensor_mb": row.peakMegabytes,
                                     "sgemm_peak_gflops": peak, "sgemm_peak_cpu_gflops": cpuPeak,
                                     "sgemm_peak_library": peakLibrary, "statistic": row.statistic,
                                     "precision": row.precision.rawValue]
        if let gflops = row.gflops { object["gflops"] = gflops }
        if let memory = row.memory {
            object["rss_before_mb"] = Double(memory.residentBeforeBytes) / 1_048_576
            object["peak_rss_mb"] = Double(memory.peakResidentBytes) / 1_048_576
            object["peak_reset"] = memory.peakWasReset
        }
        let line = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: line, as: UTF8.self))
    }
    exit(0)
}
print("")
print("model                 throughput             step       GFLOP/s    peak tensors   peak RSS (growth)")
for row in rows {
    let throughput = String(format: "%10.0f %-10@", row.perSecond, row.unit as NSString)
    let flops = row.gflops.map { String(format: "%7.1f (%2.0f%%)", $0, 100 * $0 / peak) } ?? "           -"
    let name = row.name.padding(toLength: 20, withPad: " ", startingAt: 0)
    let resident = row.memory.map {
        String(format: "%7.1f MB (%+.1f)", Double($0.peakResidentBytes) / 1_048_576,
               Double($0.peakResidentBytes - $0.residentBeforeBytes) / 1_048_576)
    } ?? "-"
    print("\(name) \(throughput) \(String(format: "%9.3f ms", row.stepMilliseconds))  \(flops)  \(String(format: "%7.1f MB", row.peakMegabytes))  \(resident)")
}
if let argmax = rows.first(where: { $0.name.hasPrefix("argmax") }) {
    print(String(format: "argmax: %.3f µs per instance at batch 500", 1e6 / argmax.perSecond))
}
print(String(format: "sgemm peak (%@, 1024³, the faster of oneDNN and OpenBLAS): %.1f GFLOP/s", peakLibrary as NSString, peak))
