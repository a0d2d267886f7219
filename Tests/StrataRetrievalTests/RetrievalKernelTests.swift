import CStrataKernels
import StrataCore
import StrataTestSupport
import XCTest
@testable import StrataRetrieval

/// The C retrieval kernels against their plain twins: `strata_offer_row_best` against the top-k heap
/// with k = 1, `strata_query_scores` against `DirectScan.referenceScores`.
final class RetrievalKernelTests: XCTestCase {
    /// Rows of few distinct values (many exact ties), widths below, at and across the 16 lanes, offered
    /// in two blocks: the same best score and lowest index as the heap, for both metrics.
    func testRowBestMatchesTheHeapWithTiesAndBlocks() {
        var generator = RandomGenerator(seed: 31)
        for columns in [1, 7, 16, 17, 33, 100] {
            let rows = 9
            let product = (0..<(rows * columns)).map { _ in Float(generator.nextInt(below: 5)) }
            let norms = (0..<columns).map { _ in Float(generator.nextInt(below: 3)) }
            for useNorms in [false, true] {
                let split = columns / 2
                var bestScores = [Float](repeating: -.infinity, count: rows)
                var bestIndices = [Int](repeating: TopKHeap.emptyIndex, count: rows)
                // Columns [split, columns) first, then [0, split): the lower index must still win ties.
                for range in [split..<columns, 0..<split] where !range.isEmpty {
                    let block = (0..<rows).flatMap { row in range.map { product[row * columns + $0] } }
                    let blockNorms = Array(norms[range])
                    block.withUnsafeBufferPointer { p in
                        blockNorms.withUnsafeBufferPointer { n in
                            strata_offer_row_best(p.baseAddress!, rows, range.count, useNorms ? n.baseAddress! : nil,
                                                  range.lowerBound, &bestScores, &bestIndices)
                        }
                    }
                }
                for row in 0..<rows {
                    let line = (0..<columns).map { j in
                        useNorms ? 2 * product[row * columns + j] - norms[j] : product[row * columns + j]
                    }
                    var score: Float = -.infinity, index = TopKHeap.emptyIndex
                    TopKHeap.push(row: line, count: columns, firstIndex: 0, scores: &score, indices: &index, k: 1)
                    XCTAssertEqual(bestScores[row], score, "columns \(columns), norms \(useNorms), row \(row)")
                    XCTAssertEqual(bestIndices[row], index, "columns \(columns), norms \(useNorms), row \(row)")
                }
            }
        }
    }

    /// Dimensions below, at and across the 16 lanes, counts around the 4-vector step: the scores of
    /// the plain Double loop, for both metrics.
    func testQueryScoresMatchTheReference() {
        for dimension in [1, 5, 16, 17, 64, 70] {
            for count in [0, 1, 3, 4, 9] {
                let vectors = RetrievalTestData.normal(count: count, dimension: dimension, seed: UInt64(dimension * 10 + count))
                let query = Array(RetrievalTestData.normal(count: 1, dimension: dimension, seed: 99).values)
                let norms = MatrixProduct.squaredNorms(vectors)
                for useNorms in [false, true] {
                    var scores = [Float](repeating: .nan, count: count)
                    vectors.values.withUnsafeBufferPointer { x in
                        norms.withUnsafeBufferPointer { n in
                            strata_query_scores(query, x.baseAddress, count, dimension, useNorms ? n.baseAddress : nil, &scores)
                        }
                    }
                    let expected = DirectScan.referenceScores(query: query, vectors: vectors, squaredNorms: useNorms ? norms : nil)
                    assertClose(scores, expected, rtol: 1e-5, atol: 1e-5)
                }
            }
        }
    }

    /// 600 vectors (three chunks of the stack buffer) into a heap of 7: the brute-force top 7.
    func testDirectScanKeepsTheTopKAcrossChunks() {
        let stored = RetrievalTestData.normal(count: 600, dimension: 10, seed: 41)
        let query = RetrievalTestData.normal(count: 1, dimension: 10, seed: 42)
        let norms = MatrixProduct.squaredNorms(stored)
        for metric in IndexMetric.allCases {
            var scores = [Float](repeating: 0, count: 7), indices = [Int](repeating: 0, count: 7)
            scores.withUnsafeMutableBufferPointer { s in
                indices.withUnsafeMutableBufferPointer { i in
                    TopKHeap.clear(scores: s.baseAddress!, indices: i.baseAddress!, k: 7)
                    stored.values.withUnsafeBufferPointer { x in
                        norms.withUnsafeBufferPointer { n in
                            query.values.withUnsafeBufferPointer { q in
                                DirectScan.offer(query: q.baseAddress!, vectors: x.baseAddress!, count: 600, dimension: 10,
                                                 squaredNorms: metric == .l2 ? n.baseAddress! : nil, firstIndex: 1000,
                                                 scores: s.baseAddress!, indices: i.baseAddress!, k: 7)
                            }
                        }
                    }
                    TopKHeap.sortInPlace(scores: s.baseAddress!, indices: i.baseAddress!, k: 7)
                }
            }
            let expected = RetrievalTestData.bruteForce(query.vector(at: 0), stored, k: 7, metric: metric)
            XCTAssertEqual(indices, expected.map { 1000 + $0.position }, "\(metric)")
        }
    }
}
