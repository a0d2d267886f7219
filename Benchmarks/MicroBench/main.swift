// strata-microbench: kernel throughput of StrataCore against direct library calls.
//
//   swift run -c release strata-microbench [--quick]
//
// Prints sgemm GFLOP/s through `Tensor.matmul` and through OpenBLAS's cblas_sgemm on the same
// shapes, the ratio of the two, and conv2d forward+backward throughput on the model shapes.
import CBLAS
import Foundation
import StrataCore

let quick = CommandLine.arguments.contains("--quick")
let stopwatch = Stopwatch(minimumSeconds: quick ? 0.1 : 0.5, minimumRuns: quick ? 3 : 5)
print("strata-microbench: \(ThreadPolicy.threadCount) threads (STRATA_THREADS), \(ProcessInfo.processInfo.activeProcessorCount) cores")

// MARK: sgemm through Tensor.matmul vs OpenBLAS directly
print("")
print("sgemm (M×K)·(K×N)            Tensor.matmul    cblas_sgemm     ratio")
let gemmShapes: [(Int, Int, Int)] = [
    (64, 64, 64), (128, 128, 128), (256, 256, 256), (512, 512, 512), (1024, 1024, 1024),
    (128, 784, 512), (128, 512, 512), (128, 512, 10), (500, 10, 60),
]
for (m, k, n) in gemmShapes {
    var generator = RandomGenerator(seed: 1)
    let a = Tensor.randomNormal([m, k], generator: &generator)
    let b = Tensor.randomNormal([k, n], generator: &generator)
    let c = Tensor.zeros([m, n])
    let flops = 2.0 * Double(m * k * n)
    let throughTensor = stopwatch.median { _ = a.matmul(b) }
    let direct = stopwatch.median {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                    a.pointer, Int32(k), b.pointer, Int32(n), 0, c.pointer, Int32(n))
    }
    let label = "\(m)×\(k)·\(k)×\(n)".padding(toLength: 28, withPad: " ", startingAt: 0)
    print(label, String(format: "%9.1f GFLOP/s %9.1f GFLOP/s %8.0f%%",
                        flops / throughTensor / 1e9, flops / direct / 1e9, 100 * direct / throughTensor))
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
