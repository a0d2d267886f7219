// strata-microbench: kernel throughput of StrataCore against direct library calls.
//
//   swift run -c release strata-microbench [--quick] [--only gemm|conv|optimizers|maps]
//
// Prints sgemm GFLOP/s through `Tensor.matmul` and through a direct call of the same library
// (oneDNN's dnnl_sgemm by default, OpenBLAS's cblas_sgemm with STRATA_GEMM=openblas) on the same
// shapes, their ratio (below 4 M multiply-adds Tensor.matmul runs oneDNN on one thread, see
// ThreadPolicy.parallelMultiplyAdds, so there the ratio shows that choice against the library's own
// threading), the other library's speed, conv2d forward+backward throughput, one
// optimizer step with the vectorized C updates against the Swift reference updates, and the
// elementwise maps (activations) forward and backward.
import CBLAS
import CDNNL
import Foundation
import StrataCore

try EnvironmentSettings.check()
try WaitPolicy.relaunchIfNeeded()

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
/// The one section to run (`--only gemm|conv|optimizers|maps`), or nil for all of them.
let only = arguments.firstIndex(of: "--only").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
/// Whether the section `name` runs.
func runs(_ name: String) -> Bool { only == nil || only == name }
let stopwatch = Stopwatch(minimumSeconds: quick ? 0.1 : 0.5, minimumRuns: quick ? 3 : 5)
print("strata-microbench: \(ThreadPolicy.threadCount) threads (STRATA_THREADS), \(ProcessInfo.processInfo.activeProcessorCount) cores")

// MARK: sgemm through Tensor.matmul vs the same library called directly, and the other library
if runs("gemm") {
let library = GemmLibrary.current
print("")
print("sgemm (M×K)·(K×N)       Tensor.matmul (\(library.rawValue))   direct call   Tensor/direct   \(library == .oneDNN ? "OpenBLAS" : "oneDNN") direct")
let gemmShapes: [(Int, Int, Int)] = [
    (64, 64, 64), (128, 128, 128), (256, 256, 256), (512, 512, 512), (1024, 1024, 1024),
    (128, 784, 512), (128, 512, 512), (128, 512, 10), (500, 10, 60),
    // mlp-small at batch 64: Dense(28) on 64·28 rows, its weight gradient, and Dense(784 → 10).
    (1792, 28, 28), (28, 1792, 28), (64, 784, 10), (784, 64, 10), (16, 784, 128),
]
/// C = A·B through the given library, called directly.
func directProduct(_ library: GemmLibrary, _ a: Tensor, _ b: Tensor, _ c: Tensor, _ m: Int, _ k: Int, _ n: Int) {
    switch library {
    case .oneDNN:
        _ = dnnl_sgemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), Int64(m), Int64(n), Int64(k), 1,
                       a.pointer, Int64(k), b.pointer, Int64(n), 0, c.pointer, Int64(n))
    case .openBLAS:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                    a.pointer, Int32(k), b.pointer, Int32(n), 0, c.pointer, Int32(n))
    }
}
for (m, k, n) in gemmShapes {
    var generator = RandomGenerator(seed: 1)
    let a = Tensor.randomNormal([m, k], generator: &generator)
    let b = Tensor.randomNormal([k, n], generator: &generator)
    let c = Tensor.zeros([m, n])
    let flops = 2.0 * Double(m * k * n)
    let throughTensor = stopwatch.median { _ = a.matmul(b) }
    let direct = stopwatch.median { directProduct(library, a, b, c, m, k, n) }
    let other = stopwatch.median { directProduct(library == .oneDNN ? .openBLAS : .oneDNN, a, b, c, m, k, n) }
    let label = "\(m)×\(k)·\(k)×\(n)".padding(toLength: 22, withPad: " ", startingAt: 0)
    print(label, String(format: "%11.1f GFLOP/s %8.1f GFLOP/s %10.0f%% %10.1f GFLOP/s",
                        flops / throughTensor / 1e9, flops / direct / 1e9, 100 * direct / throughTensor,
                        flops / other / 1e9))
}

// MARK: transposed operands are read in place
do {
    var generator = RandomGenerator(seed: 2)
    let a = Tensor.randomNormal([512, 512], generator: &generator)
    let b = Tensor.randomNormal([512, 512], generator: &generator)
    let flops = 2.0 * 512 * 512 * 512
    let plain = stopwatch.median { _ = a.matmul(b) }
    let transposed = stopwatch.median { _ = a.transposed().matmul(b.transposed()) }
    print(String(format: "512³ with both operands transposed: %.1f GFLOP/s (plain %.1f)",
                 flops / transposed / 1e9, flops / plain / 1e9))
}
}

// MARK: conv2d forward + backward through Tensor.conv2d (the kernel StrataCore picks per shape)
if runs("conv") {
print("")
print("conv2d, batch 128 (N, C, H, W) → O, k×k        fwd+bwd        GFLOP/s")
let convShapes: [(c: Int, hw: Int, o: Int, k: Int, stride: Int, pad: Int)] = [
    (1, 28, 32, 3, 1, 1), (32, 28, 32, 3, 1, 1), (32, 14, 64, 3, 1, 1), (64, 14, 64, 3, 1, 1), (64, 7, 128, 3, 1, 1),
    (16, 28, 16, 3, 1, 1), (16, 28, 32, 3, 2, 1), (32, 14, 32, 3, 1, 1), (1, 28, 8, 5, 2, 0), (8, 12, 16, 5, 2, 0),
]
for shape in convShapes {
    var generator = RandomGenerator(seed: 3)
    let x = Tensor.randomNormal([128, shape.c, shape.hw, shape.hw], generator: &generator)
    x.requiresGrad = true
    let w = Tensor.randomNormal([shape.o, shape.c, shape.k, shape.k], standardDeviation: 0.1, generator: &generator)
    w.requiresGrad = true
    let b = Tensor.zeros([shape.o], requiresGrad: true)
    let out = (shape.hw + 2 * shape.pad - shape.k) / shape.stride + 1
    // Forward, backward-data and backward-weights: three products of the same size.
    let flops = 3 * 2.0 * Double(128 * shape.o * out * out * shape.c * shape.k * shape.k)
    let seconds = try stopwatch.median {
        let y = x.conv2d(w, bias: b, stride: (shape.stride, shape.stride), padding: (shape.pad, shape.pad))
        try y.backward(gradient: y)
        x.zeroGrad(); w.zeroGrad(); b.zeroGrad()
    }
    let label = "(128, \(shape.c), \(shape.hw), \(shape.hw)) → \(shape.o), \(shape.k)×\(shape.k)/\(shape.stride)"
    print(label.padding(toLength: 44, withPad: " ", startingAt: 0),
          String(format: "%9.2f ms %9.1f", seconds * 1e3, flops / seconds / 1e9))
}
}

if runs("optimizers") { benchmarkOptimizerUpdates(stopwatch: stopwatch) }
if runs("maps") { try benchmarkElementwiseMaps(stopwatch: stopwatch) }
