import StrataCore
import StrataTestSupport
import XCTest

/// `BlockedInferenceGraph` (oneDNN primitives chained in blocked layouts) against the plain tensor
/// ops it replaces: convolution, batch normalization in inference mode, ReLU, residual addition,
/// pooling and channel concatenation.
final class BlockedInferenceGraphTests: XCTestCase {
    /// Channel counts that are not multiples of oneDNN's block of 8 or 16 exercise padded layouts.
    private func normalization(_ channels: Int, seed: UInt64) -> (BlockedInferenceGraph.Normalization, [Tensor]) {
        let gamma = Tensor.randomUniform([channels], lower: 0.5, upper: 1.5, seed: seed)
        let beta = Tensor.randomNormal([channels], standardDeviation: 0.3, seed: seed + 1)
        let mean = Tensor.randomNormal([channels], standardDeviation: 0.3, seed: seed + 2)
        let variance = Tensor.randomUniform([channels], lower: 0.5, upper: 2, seed: seed + 3)
        return (.init(gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: 1e-3),
                [gamma, beta, mean, variance])
    }

    private func reference(_ x: Tensor, _ parts: [Tensor]) -> Tensor {
        x.batchNorm2d(gamma: parts[0], beta: parts[1], runningMean: parts[2], runningVar: parts[3], training: false,
                      epsilon: 1e-3)
    }

    /// Close within 1e-5 of the reference's largest magnitude (and 1e-5 relative elementwise).
    private func assertMatches(_ actual: Tensor, _ expected: Tensor, file: StaticString = #filePath, line: UInt = #line) {
        let scale = expected.scalars.map(abs).max() ?? 0
        assertClose(actual, expected, rtol: 1e-5, atol: 1e-5 * scale, file: file, line: line)
    }

    func testConvolutionBatchNormReLUAndPoolingMatchTheTensorOps() {
        let weight1 = Tensor.randomNormal([24, 3, 3, 3], standardDeviation: 0.3, seed: 1)
        let bias1 = Tensor.randomNormal([24], standardDeviation: 0.1, seed: 2)
        let weight2 = Tensor.randomNormal([40, 24, 3, 3], standardDeviation: 0.1, seed: 3)
        let (norm2, parts2) = normalization(40, seed: 10)
        let graph = BlockedInferenceGraph(inputShape: [3, 13, 11])
        let a = graph.convolution(graph.input, weight: weight1, bias: bias1, padding: (1, 1), relu: true)
        let b = graph.pool(a, kind: .max, kernel: (2, 2), stride: (2, 2), padding: (1, 0), paddingEnd: (0, 1))
        let c = graph.convolution(b, weight: weight2, stride: (2, 1), padding: (1, 1), normalization: norm2, relu: true)
        let d = graph.pool(c, kind: .average, kernel: (3, 3), stride: (1, 1), padding: (1, 1))
        for batch in [1, 5, 1] {
            let x = Tensor.randomNormal([batch, 3, 13, 11], seed: UInt64(20 + batch))
            let ra = x.conv2d(weight1, bias: bias1, padding: (1, 1)).relu()
            let rb = ra.maxPool2d(kernel: (2, 2), stride: (2, 2), padding: (1, 0), paddingEnd: (0, 1))
            let rc = reference(rb.conv2d(weight2, stride: (2, 1), padding: (1, 1)), parts2).relu()
            let rd = rc.avgPool2d(kernel: (3, 3), stride: (1, 1), padding: (1, 1))
            assertMatches(graph.run(x, output: d), rd)
            assertMatches(graph.run(x, output: b), rb)
            XCTAssertEqual(graph.shape(of: d), Array(rd.shape.dropFirst()))
        }
    }

    func testResidualSumReLUAndConcatenationMatchTheTensorOps() {
        let stem = Tensor.randomNormal([16, 2, 3, 3], standardDeviation: 0.3, seed: 4)
        let inner = Tensor.randomNormal([16, 16, 3, 3], standardDeviation: 0.1, seed: 5)
        let (norm, parts) = normalization(16, seed: 30)
        let branch1 = Tensor.randomNormal([8, 16, 1, 1], standardDeviation: 0.3, seed: 6)
        let branch2 = Tensor.randomNormal([12, 16, 3, 3], standardDeviation: 0.1, seed: 7)
        let grouped = Tensor.randomNormal([18, 4, 3, 3], standardDeviation: 0.2, seed: 8)
        let graph = BlockedInferenceGraph(inputShape: [2, 9, 9])
        let s = graph.convolution(graph.input, weight: stem, padding: (1, 1), relu: true)
        let r = graph.convolution(s, weight: inner, padding: (1, 1), normalization: norm, adding: s, relu: true)
        let c1 = graph.convolution(r, weight: branch1)
        let c2 = graph.convolution(r, weight: branch2, padding: (2, 2), dilation: (2, 2))
        let joined = graph.concatenate([c1, c2, graph.pool(r, kind: .max, kernel: (3, 3), stride: (1, 1), padding: (1, 1))])
        let g = graph.convolution(graph.relu(joined), weight: grouped, groups: 9)
        let pooled = graph.globalAveragePool(g)
        for batch in [3, 1] {
            let x = Tensor.randomNormal([batch, 2, 9, 9], seed: UInt64(40 + batch))
            let rs = x.conv2d(stem, padding: (1, 1)).relu()
            let rr = (reference(rs.conv2d(inner, padding: (1, 1)), parts) + rs).relu()
            let rj = Tensor.concatenate([rr.conv2d(branch1), rr.conv2d(branch2, padding: (2, 2), dilation: (2, 2)),
                                         rr.maxPool2d(kernel: (3, 3), stride: (1, 1), padding: (1, 1))], axis: 1)
            let rg = rj.relu().conv2d(grouped, groups: 9)
            assertMatches(graph.run(x, output: r), rr)
            assertMatches(graph.run(x, output: joined), rj)
            assertMatches(graph.run(x, output: pooled), rg.globalAvgPool2d().reshaped([batch, 18, 1, 1]))
        }
    }

    func testChangedWeightsAreFoldedAgainAfterTheirVersionChanges() {
        let weight = Tensor.randomNormal([16, 1, 3, 3], seed: 9)
        let (norm, parts) = normalization(16, seed: 50)
        let graph = BlockedInferenceGraph(inputShape: [1, 6, 6])
        let y = graph.convolution(graph.input, weight: weight, normalization: norm)
        let x = Tensor.randomNormal([2, 1, 6, 6], seed: 60)
        assertMatches(graph.run(x, output: y), reference(x.conv2d(weight), parts))
        for i in 0..<weight.count { weight.pointer[i] *= -2 }
        weight.storage.bumpVersion()
        parts[2].pointer[3] += 1  // a moving mean, as a training step changes it
        parts[2].storage.bumpVersion()
        assertMatches(graph.run(x, output: y), reference(x.conv2d(weight), parts))
    }

    /// A batch runs in parts that keep the largest activation under the budget (a power of two of examples,
    /// the last part the remainder), with the same outputs as one run of the whole batch.
    func testABatchRunsInPartsUnderTheActivationBudget() {
        let weight = Tensor.randomNormal([16, 2, 3, 3], standardDeviation: 0.3, seed: 31)
        let graph = BlockedInferenceGraph(inputShape: [2, 10, 10])   // the largest value: (16, 8, 8), 4 KiB
        let y = graph.pool(graph.convolution(graph.input, weight: weight, relu: true), kind: .max, kernel: (2, 2),
                           stride: (2, 2))
        let x = Tensor.randomNormal([37, 2, 10, 10], seed: 32)
        let expected = x.conv2d(weight).relu().maxPool2d(kernel: (2, 2))
        let budget = BlockedInferenceGraph.activationBudgetBytes, threshold = ThreadPolicy.parallelMultiplyAdds
        let threads = ThreadPolicy.threadCount
        defer {
            BlockedInferenceGraph.activationBudgetBytes = budget
            ThreadPolicy.parallelMultiplyAdds = threshold
            ThreadPolicy.setThreadCount(threads)
        }
        // Two passive threads: whole batches (parts would put more steps on one thread).
        ThreadPolicy.setThreadCount(2)
        ThreadPolicy.parallelMultiplyAdds = 1 << 22
        BlockedInferenceGraph.activationBudgetBytes = 8 * 4096 + 100
        XCTAssertNil(graph.examplesPerRun)
        ThreadPolicy.parallelMultiplyAdds = 0   // every step on every thread: parts again
        BlockedInferenceGraph.activationBudgetBytes = 0
        XCTAssertNil(graph.examplesPerRun)
        assertMatches(graph.run(x, output: y), expected)
        BlockedInferenceGraph.activationBudgetBytes = 8 * 4096 + 100   // 8 examples: 4 runs of 8, then 5
        XCTAssertEqual(graph.examplesPerRun, 8)
        assertMatches(graph.run(x, output: y), expected)
        BlockedInferenceGraph.activationBudgetBytes = 100   // less than one example: one at a time
        XCTAssertEqual(graph.examplesPerRun, 1)
        assertMatches(graph.run(x, output: y), expected)
    }

    func testAPlanIsMadeAgainForAnotherThreadCount() {
        let weight = Tensor.randomNormal([32, 3, 3, 3], standardDeviation: 0.3, seed: 11)
        let graph = BlockedInferenceGraph(inputShape: [3, 40, 40])
        let y = graph.pool(graph.convolution(graph.input, weight: weight, padding: (1, 1), relu: true), kind: .max,
                           kernel: (2, 2), stride: (2, 2))
        let x = Tensor.randomNormal([64, 3, 40, 40], seed: 12)  // enough work for every thread
        let expected = x.conv2d(weight, padding: (1, 1)).relu().maxPool2d(kernel: (2, 2))
        let threads = ThreadPolicy.threadCount
        defer { ThreadPolicy.setThreadCount(threads) }
        for count in [1, 2, threads] {
            ThreadPolicy.setThreadCount(count)
            assertMatches(graph.run(x, output: y), expected)
        }
    }

    /// With passive threads a batch is split over them (each share on one OpenMP thread and its own
    /// stream, in parts under the budget): the same outputs as the tensor ops, for a batch that does not
    /// divide evenly, one smaller than the thread count, and after the weights change.
    func testABatchSplitOverPassiveThreadsMatchesTheTensorOps() {
        let weight = Tensor.randomNormal([16, 2, 3, 3], standardDeviation: 0.3, seed: 41)
        let (norm, parts) = normalization(16, seed: 42)
        let graph = BlockedInferenceGraph(inputShape: [2, 10, 10])   // the largest value: (16, 10, 10), 6.4 KB
        let y = graph.pool(graph.convolution(graph.input, weight: weight, padding: (1, 1), normalization: norm,
                                             relu: true),
                           kind: .max, kernel: (2, 2), stride: (2, 2))
        // A grouped, dilated convolution: an implementation with a scratchpad, which a worker thread runs
        // with the plan's own (oneDNN's shared one belongs to the thread that made the primitive).
        let grouped = Tensor.randomNormal([8, 4, 3, 3], standardDeviation: 0.2, seed: 45)
        let z = graph.convolution(y, weight: grouped, padding: (2, 2), dilation: (2, 2), groups: 4)
        let budget = BlockedInferenceGraph.activationBudgetBytes, threshold = ThreadPolicy.parallelMultiplyAdds
        let threads = ThreadPolicy.threadCount, splits = BlockedInferenceGraph.splitsBatchesOverThreads
        defer {
            BlockedInferenceGraph.activationBudgetBytes = budget
            ThreadPolicy.parallelMultiplyAdds = threshold
            ThreadPolicy.setThreadCount(threads)
            BlockedInferenceGraph.splitsBatchesOverThreads = splits
        }
        func expected(_ x: Tensor) -> Tensor {
            reference(x.conv2d(weight, padding: (1, 1)), parts).relu().maxPool2d(kernel: (2, 2))
        }
        ThreadPolicy.setThreadCount(2)
        ThreadPolicy.parallelMultiplyAdds = 1 << 22
        BlockedInferenceGraph.splitsBatchesOverThreads = true
        XCTAssertEqual(graph.shards(batch: 37), 2)
        XCTAssertEqual(graph.shards(batch: 1), 1)
        for bytes in [0, 4 * 6400 + 100] {   // shares of 19 and 18 whole, or in parts of 4
            BlockedInferenceGraph.activationBudgetBytes = bytes
            for batch in [37, 2, 1] {
                let x = Tensor.randomNormal([batch, 2, 10, 10], seed: UInt64(43 + batch))
                assertMatches(graph.run(x, output: y), expected(x))
                assertMatches(graph.run(x, output: z),
                              expected(x).conv2d(grouped, padding: (2, 2), dilation: (2, 2), groups: 4))
            }
        }
        for i in 0..<weight.count { weight.pointer[i] *= -1 }
        weight.storage.bumpVersion()
        let x = Tensor.randomNormal([37, 2, 10, 10], seed: 44)
        assertMatches(graph.run(x, output: y), expected(x))
        ThreadPolicy.setThreadCount(3)   // more threads than cores: three shares
        XCTAssertEqual(graph.shards(batch: 37), 3)
        assertMatches(graph.run(x, output: y), expected(x))
        ThreadPolicy.setThreadCount(2)
        ThreadPolicy.parallelMultiplyAdds = 0   // spinning threads: whole batches on every thread
        XCTAssertEqual(graph.shards(batch: 37), 1)
        ThreadPolicy.parallelMultiplyAdds = 1 << 22
        BlockedInferenceGraph.splitsBatchesOverThreads = false
        XCTAssertEqual(graph.shards(batch: 37), 1)
        assertMatches(graph.run(x, output: y), expected(x))
    }
}
