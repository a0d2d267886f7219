import StrataCore
import StrataDistributed
import XCTest

/// The bucket layout (reverse parameter order, size limit, one flat bucket for a small model) and the
/// single-process path, which must leave gradients exactly as backward wrote them.
final class GradientBucketsTests: XCTestCase {
    func testBucketsTakeParametersLastFirstUpToTheSizeLimit() {
        // 4-byte floats: counts 10, 20, 30, 40 are 40, 80, 120, 160 bytes.
        XCTAssertEqual(GradientBuckets.layout(counts: [10, 20, 30, 40], bucketBytes: 200), [[3], [2, 1], [0]])
        XCTAssertEqual(GradientBuckets.layout(counts: [10, 20, 30, 40], bucketBytes: 280), [[3, 2], [1, 0]])
        XCTAssertEqual(GradientBuckets.layout(counts: [10, 20, 30, 40], bucketBytes: 400), [[3, 2, 1, 0]])
    }

    func testAGradientLargerThanABucketGetsOneOfItsOwn() {
        XCTAssertEqual(GradientBuckets.layout(counts: [5, 1000, 5, 5], bucketBytes: 64), [[3, 2], [1], [0]])
    }

    func testSmallModelIsOneFlatBucketAndNoGradientsNoBuckets() {
        let buckets = GradientBuckets(counts: [784 * 128, 128, 128 * 10, 10], communicator: .local)
        XCTAssertEqual(buckets.buckets, [[3, 2, 1, 0]])
        XCTAssertEqual(GradientBuckets.layout(counts: [], bucketBytes: 100), [])
    }

    func testEveryGradientLandsInExactlyOneBucket() {
        let counts = (0..<50).map { ($0 * 7919) % 1_001 }
        let layout = GradientBuckets.layout(counts: counts, bucketBytes: 4_096)
        XCTAssertEqual(layout.flatMap { $0 }, Array(counts.indices.reversed()))
        for bucket in layout where bucket.count > 1 {
            XCTAssertLessThanOrEqual(bucket.map { counts[$0] * 4 }.reduce(0, +), 4_096)
        }
    }

    func testOneProcessLeavesGradientsUntouchedStepAfterStep() throws {
        let parameters = [Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]), Tensor([7, 8])]
        let buckets = GradientBuckets(parameters: parameters, communicator: .local, bucketBytes: 8)
        XCTAssertEqual(buckets.buckets, [[1], [0]])
        for step in 0..<3 {
            let gradients = [Tensor(shape: [3, 2], scalars: [0.1, -0.0, .nan, 4, .infinity, Float(step)]),
                             Tensor([1e-30, -2])]
            let before = gradients.map { $0.scalars.map(\.bitPattern) }
            try buckets.markReady(1, gradient: gradients[1])
            try buckets.markReady(0, gradient: gradients[0])
            try buckets.progress()
            try buckets.finish()
            XCTAssertEqual(gradients.map { $0.scalars.map(\.bitPattern) }, before, "step \(step)")
        }
    }
}
