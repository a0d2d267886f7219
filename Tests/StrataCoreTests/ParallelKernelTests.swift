@testable import StrataCore
import StrataTestSupport
import XCTest

/// The kernels that split their work over threads give the same results on two threads as on one.
/// The inputs are large enough to pass each kernel's threshold for going parallel, so these tests
/// are also what runs Strata's own parallel loops under ThreadSanitizer (`scripts/sanitize thread`).
final class ParallelKernelTests: XCTestCase {
    private var savedThreadCount = 1

    override func setUp() {
        super.setUp()
        savedThreadCount = ThreadPolicy.threadCount
    }

    override func tearDown() {
        ThreadPolicy.setThreadCount(savedThreadCount)
        super.tearDown()
    }

    /// Runs `compute` on one thread and then on two, returning both results.
    private func onOneAndTwoThreads(_ compute: () throws -> [[Float]]) rethrows -> (one: [[Float]], two: [[Float]]) {
        ThreadPolicy.setThreadCount(1)
        let one = try compute()
        ThreadPolicy.setThreadCount(2)
        let two = try compute()
        return (one, two)
    }

    /// Elementwise maps and binary ops, forward and backward, on (1024, 512): identical bits.
    func testElementwiseOpsMatchOneThreadBitForBit() throws {
        let results = try onOneAndTwoThreads {
            let x = Tensor.randomNormal([1024, 512], seed: 1, requiresGrad: true)
            let y = Tensor.randomNormal([1024, 512], seed: 2, requiresGrad: true)
            let z = ((x * y + x).relu() + x.sigmoid() + y.exp() * 0.01).sum()
            try z.backward()
            return [z.scalars, x.grad!.scalars, y.grad!.scalars]
        }
        XCTAssertEqual(results.one, results.two)
    }

    /// In-place updates (`addInPlace`, `scaleInPlace`) on 2²⁰ values: identical bits.
    func testInPlaceUpdatesMatchOneThreadBitForBit() {
        let results = onOneAndTwoThreads {
            let x = Tensor.randomNormal([1 << 20], seed: 3)
            x.addInPlace(Tensor.randomNormal([1 << 20], seed: 4))
            x.scaleInPlace(by: 0.5)
            return [x.scalars]
        }
        XCTAssertEqual(results.one, results.two)
    }

    /// Softmax over 512 rows of 512, forward and backward: identical bits.
    func testSoftmaxMatchesOneThreadBitForBit() throws {
        let results = try onOneAndTwoThreads {
            let x = Tensor.randomNormal([512, 512], seed: 5, requiresGrad: true)
            let weights = Tensor.randomNormal([512, 512], seed: 6)
            let loss = (x.softmax() * weights).sum()
            try loss.backward()
            return [loss.scalars, x.grad!.scalars]
        }
        XCTAssertEqual(results.one, results.two)
    }

    /// Max and average pooling over 128 planes of 32 × 32, forward and backward: identical bits.
    func testPoolingMatchesOneThreadBitForBit() throws {
        let results = try onOneAndTwoThreads {
            let x = Tensor.randomNormal([8, 16, 32, 32], seed: 7, requiresGrad: true)
            let pooled = x.maxPool2d(kernel: (2, 2)) + x.avgPool2d(kernel: (2, 2))  // (8, 16, 16, 16)
            let loss = (pooled * Tensor.randomNormal([8, 16, 16, 16], seed: 8)).sum()
            try loss.backward()
            return [pooled.scalars, x.grad!.scalars]
        }
        XCTAssertEqual(results.one, results.two)
    }

    /// Strata's batch normalization (with the fused ReLU) over 16 channels of 8 × 64 × 64, forward and
    /// backward: identical bits.
    func testNativeBatchNormMatchesOneThreadBitForBit() throws {
        let results = try onOneAndTwoThreads {
            let x = Tensor.randomNormal([8, 16, 64, 64], seed: 9, requiresGrad: true)
            let gamma = Tensor.randomNormal([16], mean: 1, standardDeviation: 0.1, seed: 10, requiresGrad: true)
            let beta = Tensor.randomNormal([16], seed: 11, requiresGrad: true)
            let mean = Tensor.zeros([16]), variance = Tensor.ones([16])
            let y = x.batchNorm2d(gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, training: true,
                                  relu: true, algorithm: .native)
            let loss = (y * Tensor.randomNormal([8, 16, 64, 64], seed: 12)).sum()
            try loss.backward()
            return [y.scalars, x.grad!.scalars, gamma.grad!.scalars, beta.grad!.scalars, mean.scalars, variance.scalars]
        }
        XCTAssertEqual(results.one, results.two)
    }

    /// Convolution through im2col and through oneDNN (its OpenMP threads), forward and backward: the
    /// same within rounding (a library may sum in another order on two threads).
    func testConvolutionMatchesOneThreadWithinRounding() throws {
        for algorithm in [ConvolutionAlgorithm.im2colGEMM, .oneDNNPlain, .oneDNNBlocked] {
            let results = try onOneAndTwoThreads {
                let x = Tensor.randomNormal([8, 8, 32, 32], seed: 13, requiresGrad: true)
                let w = Tensor.randomNormal([16, 8, 3, 3], standardDeviation: 0.1, seed: 14, requiresGrad: true)
                let y = x.conv2d(w, padding: (1, 1), algorithm: algorithm)  // (8, 16, 32, 32)
                let loss = (y * Tensor.randomNormal([8, 16, 32, 32], seed: 15)).sum()
                try loss.backward()
                return [y.scalars, x.grad!.scalars, w.grad!.scalars]
            }
            for (one, two) in zip(results.one, results.two) {
                assertClose(two, one, rtol: 1e-4, atol: 1e-4, "\(algorithm)")
            }
        }
    }
}
