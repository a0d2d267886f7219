import CDNNL
import Foundation

/// A convolutional network's inference as one chain of oneDNN primitives whose activations stay in
/// the blocked layouts the convolutions choose (nChw16c and the like) from layer to layer.
///
/// Describe the network once, value by value, then `run` it on batches: batch normalization is folded
/// into the convolution before it, ReLU and a residual addition become the convolution's post-ops, and
/// only the input (NCHW) and the requested output are reordered. Per batch size the primitives, the
/// folded weights in their chosen layout and the activation buffers are made once and reused; the
/// weights are folded again only when a source tensor's storage version changes (an optimizer step,
/// a weight load). Inference only: nothing is recorded for gradients.
///
/// ```swift
/// let graph = BlockedInferenceGraph(inputShape: [1, 28, 28])
/// let features = graph.convolution(graph.input, weight: kernel, bias: bias, relu: true)   // (N, 32, 26, 26)
/// let pooled = graph.pool(features, kind: .max, kernel: (2, 2), stride: (2, 2))
/// let output = graph.run(images, output: pooled)   // (N, 32, 13, 13), NCHW
/// ```
public final class BlockedInferenceGraph: @unchecked Sendable {
    /// An activation of the graph, (N, C, H, W): the input or the result of an operation.
    public struct Value: Hashable, Sendable {
        let index: Int
    }

    /// Batch normalization in inference mode (moving statistics), to fold into a convolution: each
    /// output channel o becomes gamma[o] · (x − mean[o]) / √(variance[o] + ε) + beta[o]. Each tensor is (O).
    public struct Normalization {
        let gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor
        let epsilon: Float

        /// The normalization with these (O) parameters and moving statistics.
        public init(gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) {
            self.gamma = gamma
            self.beta = beta
            self.mean = mean
            self.variance = variance
            self.epsilon = epsilon
        }
    }

    /// A convolution with what is fused into it.
    struct Convolution {
        /// The convolution's input.
        let input: Value
        /// The geometry for a batch of one (the plan substitutes the batch size).
        let geometry: Conv2DGeometry
        let weight: Tensor, bias: Tensor?
        let normalization: Normalization?
        let residual: Value?
        let relu: Bool

        /// The same convolution with another geometry (another batch size).
        func withGeometry(_ geometry: Conv2DGeometry) -> Convolution {
            Convolution(input: input, geometry: geometry, weight: weight, bias: bias, normalization: normalization,
                        residual: residual, relu: relu)
        }
    }

    /// What computes a value.
    enum Operation {
        case input
        case convolution(Convolution)
        case pooling(DNNLPooling.Kind, Pool2DGeometry, Value)
        case relu(Value)
        case concatenate([Value])
    }

    /// The operations in order; node 0 is the input.
    private(set) var operations: [Operation] = [.input]
    /// The shape of each value for one example, (C, H, W).
    private(set) var shapes: [[Int]]
    /// The elements of the largest value for one example (kept as values are added, read at every run).
    private var largestExampleElements: Int
    /// A plan's batch size, output, OpenMP threads, and the shard it runs (0 when the batch is not split).
    private struct PlanKey: Hashable { let batch: Int, output: Int, threads: Int, shard: Int }
    private var plans: [PlanKey: BlockedInferencePlan] = [:]
    /// One stream for each shard of a split batch (a stream must not be used by two threads at once).
    private var shardStreams: [dnnl_stream_t] = []
    private var lock = pthread_mutex_t()

    /// A graph whose input is a batch of examples of `inputShape`, (C, H, W).
    public init(inputShape: [Int]) {
        precondition(inputShape.count == 3 && inputShape.allSatisfy { $0 > 0 },
                     "BlockedInferenceGraph: the input shape must be (C, H, W), got \(inputShape.shapeText)")
        shapes = [inputShape]
        largestExampleElements = inputShape.reduce(1, *)
        pthread_mutex_init(&lock, nil)
    }

    deinit {
        for stream in shardStreams { dnnl_stream_destroy(stream) }
        pthread_mutex_destroy(&lock)
    }

    /// The graph's input, (N, C, H, W).
    public var input: Value { Value(index: 0) }

    /// The shape of `value` for one example, (C, H, W).
    public func shape(of value: Value) -> [Int] { shapes[value.index] }

    /// relu?(convolution(x, weight) + bias, normalized, + residual): a 2-D convolution of `x` with
    /// `weight` (O, C/groups, KH, KW) and an optional `bias` (O), then the optional batch `normalization`,
    /// then the optional `residual` value (of the output's shape) added, then an optional ReLU.
    public func convolution(_ x: Value, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                            padding: (Int, Int) = (0, 0), paddingEnd: (Int, Int)? = nil,
                            dilation: (Int, Int) = (1, 1), groups: Int = 1, normalization: Normalization? = nil,
                            adding residual: Value? = nil, relu: Bool = false) -> Value {
        let geometry = Conv2DGeometry(input: [1] + shape(of: x), weight: weight.shape, bias: bias?.shape,
                                      stride: stride, padding: padding, paddingEnd: paddingEnd, dilation: dilation,
                                      groups: groups, op: "BlockedInferenceGraph.convolution")
        let outputShape = Array(geometry.outputShape.dropFirst())
        if let normalization {
            for tensor in [normalization.gamma, normalization.beta, normalization.mean, normalization.variance] {
                precondition(tensor.shape == [geometry.outChannels],
                             "BlockedInferenceGraph.convolution: normalization parameter \(tensor.shape.shapeText) for \(geometry.outChannels) channels")
            }
        }
        if let residual {
            precondition(shape(of: residual) == outputShape,
                         "BlockedInferenceGraph.convolution: residual \(shape(of: residual).shapeText) for output \(outputShape.shapeText)")
        }
        return append(.convolution(Convolution(input: x, geometry: geometry, weight: weight, bias: bias,
                                               normalization: normalization, residual: residual, relu: relu)),
                      shape: outputShape)
    }

    /// Max or average pooling of `x` (average counts the padding, as `Tensor.avgPool2d` does).
    public func pool(_ x: Value, kind: PoolingKind, kernel: (Int, Int), stride: (Int, Int),
                     padding: (Int, Int) = (0, 0), paddingEnd: (Int, Int)? = nil) -> Value {
        let geometry = Pool2DGeometry(input: [1] + shape(of: x), kernel: kernel, stride: stride, padding: padding,
                                      paddingEnd: paddingEnd ?? padding, op: "BlockedInferenceGraph.pool")
        return append(.pooling(kind == .max ? .max : .average, geometry, x), shape: Array(geometry.outputShape.dropFirst()))
    }

    /// The mean of each channel of `x` over its whole plane, (N, C, 1, 1).
    public func globalAveragePool(_ x: Value) -> Value {
        let shape = shape(of: x)
        return pool(x, kind: .average, kernel: (shape[1], shape[2]), stride: (shape[1], shape[2]))
    }

    /// max(x, 0) on its own (a ReLU that could not be fused into a convolution).
    public func relu(_ x: Value) -> Value { append(.relu(x), shape: shape(of: x)) }

    /// The values joined along channels; all have the same height and width.
    public func concatenate(_ values: [Value]) -> Value {
        precondition(!values.isEmpty, "BlockedInferenceGraph.concatenate: no values")
        let first = shape(of: values[0])
        precondition(values.allSatisfy { shape(of: $0).dropFirst() == first.dropFirst() },
                     "BlockedInferenceGraph.concatenate: planes differ: \(values.map { shape(of: $0).shapeText })")
        let channels = values.reduce(0) { $0 + shape(of: $1)[0] }
        return append(.concatenate(values), shape: [channels, first[1], first[2]])
    }

    /// The bytes of the largest activation of one run of the graph: a batch runs in parts of as many
    /// examples as keep it under this (a power of two, at least 1), so that each layer's output is still
    /// in the cache when the next layer reads it; 0 runs every batch whole. The environment variable
    /// `STRATA_INFERENCE_ACTIVATION_BYTES` sets it; 4 MiB by default (on the idle machine: batch 256 of
    /// cnn 1.36×, inception 1.37×, vgg 1.12× faster on one thread; docs/performance.md).
    public nonisolated(unsafe) static var activationBudgetBytes =
        ProcessInfo.processInfo.environment["STRATA_INFERENCE_ACTIVATION_BYTES"].flatMap(Int.init) ?? 4 << 20

    /// The examples of one run of the graph under `activationBudgetBytes` (nil: the whole batch). Only on
    /// one thread, or where every step uses every thread (`ThreadPolicy.parallelMultiplyAdds` 0): with
    /// several threads that wait passively, smaller parts would put more steps under that threshold, on
    /// one thread (inception's batch 256 at two threads was 0.83× as fast in parts).
    public var examplesPerRun: Int? {
        guard ThreadPolicy.threadCount == 1 || ThreadPolicy.parallelMultiplyAdds == 0 else { return nil }
        return examplesUnderBudget
    }

    /// The examples whose largest activation fits `activationBudgetBytes` (a power of two, at least 1; nil
    /// when the budget is 0).
    private var examplesUnderBudget: Int? {
        let budget = Self.activationBudgetBytes
        guard budget > 0 else { return nil }
        let largest = largestExampleElements * MemoryLayout<Float>.stride
        var examples = 1
        while examples * 2 * largest <= budget { examples *= 2 }
        return examples
    }

    /// Whether a batch of several examples is split over the threads when they wait passively: each
    /// thread runs its share on its own stream, with OpenMP at one thread, in parts whose largest
    /// activation fits `activationBudgetBytes`, so no step ends at a barrier that a sleeping thread must
    /// be woken for (batch 256 on two threads: inception 1.32×, embedding-cnn 1.48×; docs/performance.md).
    /// `STRATA_INFERENCE_SHARDS=0` turns it off (the batch then runs whole on every thread, as with
    /// spinning threads, where splitting does not gain).
    public nonisolated(unsafe) static var splitsBatchesOverThreads =
        ProcessInfo.processInfo.environment["STRATA_INFERENCE_SHARDS"] != "0"

    /// The number of shares a batch of `batch` examples is split into, one a thread (1: not split).
    public func shards(batch: Int) -> Int {
        let threads = ThreadPolicy.threadCount
        guard Self.splitsBatchesOverThreads, threads > 1, ThreadPolicy.parallelMultiplyAdds > 0 else { return 1 }
        return min(threads, batch)
    }

    /// The value `output` for the batch `input` (N, C, H, W), as a new (N, C', H', W') NCHW tensor, in
    /// runs of at most `examplesPerRun` examples, or split between the threads (`shards(batch:)`).
    public func run(_ input: Tensor, output: Value) -> Tensor {
        precondition(Array(input.shape.dropFirst()) == shapes[0],
                     "BlockedInferenceGraph.run: input \(input.shape.shapeText), expected (N, \(shapes[0].map(String.init).joined(separator: ", ")))")
        let batch = input.shape[0]
        let result = Tensor(uninitializedShape: [batch] + shape(of: output))
        if batch == 0 { return result }
        let plain = input.contiguousStorageView()
        let inputCount = shapes[0].reduce(1, *), outputCount = shape(of: output).reduce(1, *)
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        let shareCount = shards(batch: batch)
        if shareCount > 1 {
            runSplit(input: plain.pointer, output: result.pointer, batch: batch, shards: shareCount, value: output)
        } else {
            let part = min(batch, examplesPerRun ?? batch)
            var start = 0
            while start < batch {
                let count = min(part, batch - start)
                plan(batch: count, output: output).run(input: plain.pointer + start * inputCount,
                                                       output: result.pointer + start * outputCount)
                start += count
            }
        }
        withExtendedLifetime(plain) {}
        return result
    }

    /// Runs `batch` examples as `shards` contiguous shares, one a thread, each in parts of at most
    /// `examplesUnderBudget` examples on one-thread plans and its own stream; call with `lock` held.
    private func runSplit(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
                          shards: Int, value: Value) {
        let inputCount = shapes[0].reduce(1, *), outputCount = shape(of: value).reduce(1, *)
        let share = (batch + shards - 1) / shards
        let part = min(share, examplesUnderBudget ?? share)
        // Each shard's parts: (start, count), and the plans they need, made here on one OpenMP thread.
        var work: [[(start: Int, count: Int, plan: BlockedInferencePlan)]] = []
        let threads = omp_get_max_threads()
        omp_set_num_threads(1)
        while shardStreams.count < shards {
            var stream: dnnl_stream_t?
            DNNLEngine.check(dnnl_stream_create(&stream, DNNLEngine.shared.engine, dnnl_stream_default_flags.rawValue),
                             "inference shard", "stream")
            shardStreams.append(stream!)
        }
        for shard in 0..<shards {
            var parts: [(start: Int, count: Int, plan: BlockedInferencePlan)] = []
            var start = shard * share
            let end = min(batch, start + share)
            while start < end {
                let count = min(part, end - start)
                parts.append((start, count, plan(batch: count, output: value, threads: 1, shard: shard)))
                start += count
            }
            work.append(parts)
        }
        omp_set_num_threads(threads)
        let streams = shardStreams
        DispatchQueue.concurrentPerform(iterations: shards) { shard in
            let previous = omp_get_max_threads()
            omp_set_num_threads(1)
            defer { omp_set_num_threads(previous) }
            for part in work[shard] {
                part.plan.run(input: input + part.start * inputCount, output: output + part.start * outputCount,
                              on: streams[shard])
            }
        }
    }

    /// The plan for `batch` examples and `output` at `threads` OpenMP threads (primitives are planned
    /// for the thread count they run with) for `shard`, made on first use; call with `lock` held.
    private func plan(batch: Int, output: Value, threads: Int = ThreadPolicy.threadCount, shard: Int = 0)
        -> BlockedInferencePlan {
        let key = PlanKey(batch: batch, output: output.index, threads: threads, shard: shard)
        if let cached = plans[key] { return cached }
        if plans.count >= 16 { plans.removeAll() }  // batch sizes that change every call
        let plan = BlockedInferencePlan(self, batch: batch, output: output, threads: threads)
        plans[key] = plan
        return plan
    }

    private func append(_ operation: Operation, shape: [Int]) -> Value {
        operations.append(operation)
        shapes.append(shape)
        largestExampleElements = max(largestExampleElements, shape.reduce(1, *))
        return Value(index: operations.count - 1)
    }
}

/// The reduction of a pooling window.
public enum PoolingKind: Sendable {
    /// The largest value.
    case max
    /// The mean over the window, padding counted as zeros.
    case average
}
