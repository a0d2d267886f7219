// strata-onnxbench: inference latency and throughput of the exported models, in Strata's inference path.
//
//   swift run -c release strata-onnxbench --out DIR [--threads N] [--quick] [--only name,name] [--layer-by-layer]
//                                   [--parallel-multiply-adds N]
//
// For every catalog model (default options, 28×28 single-channel images, seeded random weights) and the
// retrieval embedding network (cnn, 128 dimensions): writes DIR/NAME.onnx (the same file ONNX Runtime
// is timed on by bench/compare-onnx), then times `Model.predict` in inference mode without gradients:
// batch-1 latency (the median of single calls) and batch-256 throughput (images per second, from the
// median batch). Prints one JSON object per model (JSONL); warm-up calls are excluded. `predict` runs the
// network compiled for inference (`CompiledInference`: oneDNN layers chained in blocked layouts);
// `--layer-by-layer` times each layer's own `forward` instead (the path before it), for A/B runs.
// The OpenMP wait policy comes from STRATA_WAIT_POLICY (`WaitPolicy`; bench/compare-wait-policy compares them).
import Foundation
import StrataCore
import StrataExperiments
import StrataInterop
import StrataNN
import StrataTrain

try EnvironmentSettings.check()
try WaitPolicy.relaunchIfNeeded()

let arguments = CommandLine.arguments
func value(of option: String) -> String? { arguments.firstIndex(of: option).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
guard let out = value(of: "--out") else {
    FileHandle.standardError.write(Data("usage: strata-onnxbench --out DIR [--threads N] [--quick] [--only name,name] [--layer-by-layer]\n".utf8))
    exit(2)
}
if let threads = value(of: "--threads").flatMap(Int.init) { ThreadPolicy.setThreadCount(threads) }
// Work below this many multiply-adds runs on one thread (ThreadPolicy.parallelMultiplyAdds), for tuning runs.
if let work = value(of: "--parallel-multiply-adds").flatMap(Int.init) { ThreadPolicy.parallelMultiplyAdds = work }
let quick = arguments.contains("--quick")
let layerByLayer = arguments.contains("--layer-by-layer")
let only = value(of: "--only").map { Set($0.split(separator: ",").map(String.init)) }
let minimumSeconds = quick ? 0.3 : 3.0
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

/// The median of `step`'s wall-clock seconds over at least `minimumCalls` calls and `minimumSeconds`,
/// after `warmUp` calls.
func medianSeconds(warmUp: Int, minimumCalls: Int, _ step: () -> Void) -> (median: Double, calls: Int) {
    for _ in 0..<warmUp { step() }
    var times: [Double] = []
    let start = DispatchTime.now().uptimeNanoseconds
    while times.count < minimumCalls || Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < minimumSeconds {
        let begin = DispatchTime.now().uptimeNanoseconds
        step()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
    }
    times.sort()
    return (times[times.count / 2], times.count)
}

var models: [(String, () throws -> Model)] = ModelCatalog.names.map { name in
    (name, {
        let layout = try ModelCatalog.layout(of: name)
        return try Model(try ModelCatalog.make(name), inputShape: layout.shape(channels: 1, height: 28, width: 28), seed: 1)
    })
}
models.append(("embedding-cnn", {
    var options = RetrievalOptions()
    options.model = "cnn"
    options.dimension = 128
    guard let model = try EmbeddingNetwork.make(options, imageShape: [1, 28, 28], seed: 1) else { throw ExperimentError("no network") }
    return model
}))

var generator = RandomGenerator(seed: 3)
for (name, make) in models where only?.contains(name) ?? true {
    let model = try make()
    model.usesCompiledInference = !layerByLayer
    let file = URL(fileURLWithPath: out).appendingPathComponent("\(name).onnx")
    try model.exportONNX(to: file)
    let one = Tensor.randomUniform([1] + model.inputShape, generator: &generator)
    let batch = Tensor.randomUniform([256] + model.inputShape, generator: &generator)
    let latency = medianSeconds(warmUp: 3, minimumCalls: quick ? 5 : 20) { _ = model.predict(one) }
    let throughput = medianSeconds(warmUp: 1, minimumCalls: 3) { _ = model.predict(batch, batchSize: 256) }
    let record: [String: Any] = [
        "engine": "strata", "path": layerByLayer ? "layer-by-layer" : "compiled", "model": name, "file": file.path, "input_shape": model.inputShape,
        "threads": ThreadPolicy.threadCount, "batch1_ms": latency.median * 1000, "batch1_calls": latency.calls,
        "batch256_images_per_second": 256 / throughput.median, "batch256_calls": throughput.calls,
    ]
    let line = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
    FileHandle.standardOutput.write(line + Data("\n".utf8))
}
