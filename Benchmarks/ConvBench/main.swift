// strata-convbench: times conv2d forward and backward with each kernel on the model shapes.
//
//   swift run -c release strata-convbench [--iterations N] [--filter TEXT] [--algorithm NAME]
//                                         [--blocked] [--layers] [--block]
//
// For each shape and each `ConvolutionAlgorithm` it prints the milliseconds of one forward and one
// backward step (input, weight and bias gradients; no input gradient for a first layer) and the
// GFLOP/s they reach, then which kernel wins. Times are the best of N steps (on a shared machine
// the least disturbed one), with the median of the forward + backward total beside them.
// --blocked adds oneDNN's convolutions alone in blocked layouts and the reorders they need;
// --layers times pooling and batch normalization instead; --block a ResNet-style block.
// STRATA_THREADS sets the thread count; DNNL_VERBOSE=1 makes oneDNN print the implementation it
// picked for each primitive. On a machine busy with other work, oneDNN's OpenMP threads spin in
// barriers waiting for descheduled partners; OMP_WAIT_POLICY=PASSIVE (read by libgomp at load
// time, so it must be set before the process starts) makes them sleep instead.
import Foundation
import StrataCore

/// One convolution the models run: input (N, C, H, W), O output channels, a square kernel.
struct Shape {
    let name: String
    let batch: Int, channels: Int, size: Int
    let outChannels: Int, kernel: Int, stride: Int, padding: Int
    /// Whether the input is the data (a first layer): then no input gradient is computed.
    var isFirstLayer: Bool { channels == 1 }
    var outSize: Int { (size + 2 * padding - kernel) / stride + 1 }
    var flops: Double {
        2 * Double(batch * outChannels * outSize * outSize) * Double(channels * kernel * kernel)
    }
    var description: String {
        "\(name) \(batch)×\(channels)×\(size)×\(size)→\(outChannels) \(kernel)×\(kernel) s\(stride) p\(padding)"
    }
}

let shapes: [Shape] = [
    Shape(name: "mnist.conv1", batch: 128, channels: 1, size: 28, outChannels: 32, kernel: 3, stride: 1, padding: 1),
    Shape(name: "mnist.conv2", batch: 128, channels: 32, size: 28, outChannels: 32, kernel: 3, stride: 1, padding: 1),
    Shape(name: "mnist.conv3", batch: 128, channels: 32, size: 14, outChannels: 64, kernel: 3, stride: 1, padding: 1),
    Shape(name: "mnist.conv4", batch: 128, channels: 64, size: 14, outChannels: 64, kernel: 3, stride: 1, padding: 1),
    Shape(name: "mnist.conv5", batch: 128, channels: 64, size: 7, outChannels: 128, kernel: 3, stride: 1, padding: 1),
    Shape(name: "resnet.16-16", batch: 128, channels: 16, size: 28, outChannels: 16, kernel: 3, stride: 1, padding: 1),
    Shape(name: "resnet.16-32s2", batch: 128, channels: 16, size: 28, outChannels: 32, kernel: 3, stride: 2,
          padding: 1),
    Shape(name: "resnet.32-32", batch: 128, channels: 32, size: 14, outChannels: 32, kernel: 3, stride: 1, padding: 1),
    Shape(name: "resnet.32-64s2", batch: 128, channels: 32, size: 14, outChannels: 64, kernel: 3, stride: 2,
          padding: 1),
    Shape(name: "resnet.64-64", batch: 128, channels: 64, size: 7, outChannels: 64, kernel: 3, stride: 1, padding: 1),
    Shape(name: "ranknet.conv1", batch: 64, channels: 1, size: 28, outChannels: 8, kernel: 5, stride: 2, padding: 0),
    Shape(name: "ranknet.conv2", batch: 64, channels: 8, size: 12, outChannels: 16, kernel: 5, stride: 2, padding: 0),
]

/// Command-line options.
struct Options {
    var iterations = 10
    var filter: String?
    var algorithm: String?
    var blocked = false
    var layers = false
    var block = false

    init(arguments: [String]) {
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--iterations": iterations = rest.popFirst().flatMap(Int.init) ?? iterations
            case "--filter": filter = rest.popFirst()
            case "--algorithm": algorithm = rest.popFirst()
            case "--blocked": blocked = true
            case "--layers": layers = true
            case "--block": block = true
            default:
                print("usage: strata-convbench [--iterations N] [--filter TEXT] "
                      + "[--algorithm oneDNN-blocked|oneDNN-plain|im2col|automatic] [--blocked] [--layers] [--block]")
                exit(argument == "--help" ? 0 : 2)
            }
        }
    }
}

/// A tensor of standard-normal values.
func randomTensor(_ shape: [Int], generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
    let values = (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() }
    return Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
}

/// The median of the measured seconds.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// Forward and backward seconds of each measured step.
struct Timings {
    var forward: [Double] = []
    var backward: [Double] = []
    var bestForward: Double { forward.min()! }
    var bestBackward: Double { backward.min()! }
    var medianTotal: Double { median(zip(forward, backward).map { $0 + $1 }) }
}

/// Seconds elapsed while running `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Forward and backward seconds of `shape` with `algorithm`, step by step.
func measure(_ shape: Shape, _ algorithm: ConvolutionAlgorithm, iterations: Int) throws -> Timings {
    var generator = RandomGenerator(seed: 1)
    let input = randomTensor([shape.batch, shape.channels, shape.size, shape.size], generator: &generator,
                             requiresGrad: !shape.isFirstLayer)
    let weight = randomTensor([shape.outChannels, shape.channels, shape.kernel, shape.kernel],
                              generator: &generator, requiresGrad: true)
    let bias = randomTensor([shape.outChannels], generator: &generator, requiresGrad: true)
    let gradient = randomTensor([shape.batch, shape.outChannels, shape.outSize, shape.outSize],
                                generator: &generator)
    var timings = Timings()
    for iteration in 0..<(iterations + 2) {  // two warm-up steps create the primitives and fill the pool
        input.zeroGrad(); weight.zeroGrad(); bias.zeroGrad()
        var output: Tensor?
        let forward = seconds {
            output = input.conv2d(weight, bias: bias, stride: (shape.stride, shape.stride),
                                  padding: (shape.padding, shape.padding), algorithm: algorithm)
        }
        let backward = try seconds { try output!.backward(gradient: gradient) }
        if iteration >= 2 {
            timings.forward.append(forward)
            timings.backward.append(backward)
        }
    }
    return timings
}

let options = Options(arguments: CommandLine.arguments)
if options.layers || options.block {
    if options.layers { try PoolingAndNormBenchmark.run(iterations: options.iterations) }
    if options.block { try PoolingAndNormBenchmark.runBlock(iterations: options.iterations) }
    exit(0)
}
let algorithms: [(String, ConvolutionAlgorithm)] = [
    ("oneDNN-blocked", .oneDNNBlocked), ("oneDNN-plain", .oneDNNPlain), ("im2col+sgemm", .im2colGEMM),
    ("automatic", .automatic),
]
    .filter { options.algorithm.map($0.0.hasPrefix) ?? true }
print("strata-convbench: \(ThreadPolicy.threadCount) threads, best of \(options.iterations) steps "
      + "(median of fwd+bwd in the last column)")
print("shape".padding(toLength: 44, withPad: " ", startingAt: 0)
      + "kernel           fwd ms  fwd GF/s   bwd ms  bwd GF/s  total ms  median ms")
var totals: [String: Double] = [:]
for shape in shapes where options.filter.map({ shape.name.contains($0) }) ?? true {
    var best: (name: String, total: Double)?
    for (name, algorithm) in algorithms {
        let timings = try measure(shape, algorithm, iterations: options.iterations)
        let forward = timings.bestForward, backward = timings.bestBackward
        let backwardFLOPs = shape.flops * (shape.isFirstLayer ? 1 : 2)
        let total = forward + backward
        totals[name, default: 0] += total
        let columns = [
            String(format: "%8.2f", forward * 1e3), String(format: "%9.1f", shape.flops / forward / 1e9),
            String(format: "%8.2f", backward * 1e3), String(format: "%9.1f", backwardFLOPs / backward / 1e9),
            String(format: "%9.2f", total * 1e3), String(format: "%10.2f", timings.medianTotal * 1e3),
        ]
        print(shape.description.padding(toLength: 44, withPad: " ", startingAt: 0)
              + name.padding(toLength: 15, withPad: " ", startingAt: 0) + columns.joined(separator: " "))
        if algorithm != .automatic, best == nil || total < best!.total { best = (name, total) }
    }
    if algorithms.count > 1, let best { print("  fastest: \(best.name)") }
    if options.blocked {
        let probe = BlockedLayoutProbe.measure(shape, iterations: options.iterations)
        print(String(format: "  oneDNN blocked layouts: convolutions %.2f ms + reorders %.2f ms = %.2f ms",
                     probe.convolution, probe.reorders, probe.convolution + probe.reorders) + " (\(probe.names))")
    }
}
print("sum over shapes (ms per fwd+bwd step): "
      + algorithms.map { "\($0.0) \(String(format: "%.2f", (totals[$0.0] ?? 0) * 1e3))" }.joined(separator: ", "))
