// strata-bench: training-step throughput of the models of the Strata experiments.
//
//   swift run -c release strata-bench [--quick] [--only name,name] [--no-peak]
//
// Times full training steps (forward, backward, optimizer step) on data already in memory, warm-up
// excluded, with the thread count of STRATA_THREADS (default: all cores), and prints images per
// second (pairs per second for RankNet), the convnets' GFLOP/s beside the machine's sgemm peak, and
// the peak memory of tensors. The same models, built in PyTorch and Keras, are in bench/reference/.
import CBLAS
import Foundation
import StrataCore
import StrataExperiments
import StrataNN
import StrataTrain

WaitPolicy.relaunchIfNeeded()

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let only: Set<String>? = arguments.firstIndex(of: "--only").map { Set(arguments[$0 + 1].split(separator: ",").map(String.init)) }
let minimumSeconds = quick ? 1.0 : 5.0

/// One benchmark row.
struct Row {
    let name: String
    let unit: String
    let perSecond: Double
    let stepMilliseconds: Double
    let gflops: Double?
    let peakMegabytes: Double
}

/// Runs `step` for warm-up, then for at least `minimumSeconds`; returns seconds per step.
func timeSteps(_ step: () -> Void) -> Double {
    for _ in 0..<3 { step() }
    var steps = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    while elapsed < minimumSeconds || steps < 5 {
        step()
        steps += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    return elapsed / Double(steps)
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
    let seconds = timeSteps {
        let value = loss(predictions: model(inputs, training: true), targets: labels)
        value.backward()
        optimizer.step(parameters)
        parameters.zeroGradients()
    }
    let flops = try FlopCounter.forward(model.network, inputShape: model.inputShape)
    let isConvnet = flops > 10e6
    return Row(name: name, unit: "images/s", perSecond: Double(batch) / seconds, stepMilliseconds: seconds * 1e3,
               gflops: isConvnet ? 3 * flops * Double(batch) / seconds / 1e9 : nil,
               peakMegabytes: Double(BufferPool.shared.peakLiveBytes) / 1_048_576)
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
    let seconds = timeSteps {
        let value = loss(scoresA: scorer(a, training: true), scoresB: scorer(b, training: true), targets: targets)
        value.backward()
        optimizer.step(parameters)
        parameters.zeroGradients()
    }
    return Row(name: "ranknet", unit: "pairs/s", perSecond: Double(pairs) / seconds, stepMilliseconds: seconds * 1e3,
               gflops: nil, peakMegabytes: Double(BufferPool.shared.peakLiveBytes) / 1_048_576)
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
    let seconds = timeSteps { _ = noGrad { model(inputs) } }
    return Row(name: "argmax (inference)", unit: "vectors/s", perSecond: 500 / seconds, stepMilliseconds: seconds * 1e3,
               gflops: nil, peakMegabytes: Double(BufferPool.shared.peakLiveBytes) / 1_048_576)
}

/// The machine's sgemm peak through OpenBLAS (1024³).
func sgemmPeak() -> Double {
    let n = 1024
    let a = Tensor.randomNormal([n, n], seed: 1), b = Tensor.randomNormal([n, n], seed: 2), c = Tensor.zeros([n, n])
    let seconds = timeSteps {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a.pointer, Int32(n),
                    b.pointer, Int32(n), 0, c.pointer, Int32(n))
    }
    return 2 * Double(n * n * n) / seconds / 1e9
}

func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }

print("strata-bench: \(ThreadPolicy.threadCount) threads, \(ProcessInfo.processInfo.activeProcessorCount) cores, \(quick ? "quick" : "full") timing")
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
    if wanted("vgg") {
        rows.append(try classifierRow("vgg", model: Model(try ModelCatalog.make("vgg"), inputShape: [1, 28, 28], seed: 1),
                                      optimizer: Adam(learningRate: 1e-3), batch: 128))
    }
    if wanted("resnet20") {
        rows.append(try classifierRow("resnet20", model: Model(try ModelCatalog.make("resnet"), inputShape: [1, 28, 28], seed: 1),
                                      optimizer: SGD(learningRate: 0.1, momentum: 0.9), batch: 128))
    }
    if wanted("argmax") { rows.append(try argmaxRow()) }
} catch {
    FileHandle.standardError.write(Data("strata-bench: \(error)\n".utf8))
    exit(1)
}
let peak = arguments.contains("--no-peak") ? .nan : sgemmPeak()
print("")
print("model                 throughput             step       GFLOP/s    peak tensors")
for row in rows {
    let throughput = String(format: "%10.0f %-10@", row.perSecond, row.unit as NSString)
    let flops = row.gflops.map { String(format: "%7.1f (%2.0f%%)", $0, 100 * $0 / peak) } ?? "           -"
    let name = row.name.padding(toLength: 20, withPad: " ", startingAt: 0)
    print("\(name) \(throughput) \(String(format: "%9.3f ms", row.stepMilliseconds))  \(flops)  \(String(format: "%7.1f MB", row.peakMegabytes))")
}
if let argmax = rows.first(where: { $0.name.hasPrefix("argmax") }) {
    print(String(format: "argmax: %.3f µs per instance at batch 500", 1e6 / argmax.perSecond))
}
print(String(format: "sgemm peak (OpenBLAS, 1024³): %.1f GFLOP/s", peak))
