import CStrataKernels
import StrataCore
import StrataTestSupport
import XCTest
@testable import StrataRetrieval

/// The C retrieval kernels against their plain twins: `strata_offer_row_best` against the top-k heap
/// with k = 1, `strata_offer_top_k` against converting each row and pushing it to `TopKHeap`,
/// `strata_query_scores` against `DirectScan.referenceScores`, and `strata_scan_top_k` against
/// `strata_query_scores` followed by `TopKHeap`.
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

    /// 600 vectors (many of the kernel's 64-score steps) into a heap of 7: the brute-force top 7.
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

    /// Rows of few distinct values (many exact ties), widths below, at and across the 16 lanes, heaps
    /// of 1, 3 and 10 reached through `slots` in a shuffled order or contiguously, the columns offered
    /// in two blocks (the later one first): the same heaps, bit for bit, as the Swift convert-and-push.
    func testOfferTopKMatchesTheHeapWithTiesSlotsAndBlocks() {
        var generator = RandomGenerator(seed: 37)
        for columns in [1, 7, 16, 17, 33, 100] {
            for k in [1, 3, 10] {
                let rows = 6
                let product = (0..<(rows * columns)).map { _ in Float(generator.nextInt(below: 6)) - 2 }
                let norms = (0..<columns).map { _ in Float(generator.nextInt(below: 3)) }
                let order = [4, 1, 5, 0, 3, 2]
                for (useNorms, useSlots) in [(false, false), (true, false), (false, true), (true, true)] {
                    let slots = (0..<rows).map { useSlots ? order[$0] * k : $0 * k }
                    var fast = (scores: [Float](repeating: -.infinity, count: rows * k),
                                indices: [Int](repeating: TopKHeap.emptyIndex, count: rows * k))
                    var plain = fast
                    let split = columns / 2
                    for range in [split..<columns, 0..<split] where !range.isEmpty {
                        let block = (0..<rows).flatMap { row in range.map { product[row * columns + $0] } }
                        let blockNorms = Array(norms[range])
                        blockNorms.withUnsafeBufferPointer { n in
                            slots.withUnsafeBufferPointer { slotTable in
                                strata_offer_top_k(block, rows, range.count, useNorms ? n.baseAddress! : nil,
                                                   100 + range.lowerBound, useSlots ? slotTable.baseAddress! : nil,
                                                   &fast.scores, &fast.indices, k)
                            }
                        }
                        for row in 0..<rows {
                            let line = range.map { j in
                                useNorms ? 2 * product[row * columns + j] - norms[j] : product[row * columns + j]
                            }
                            plain.scores.withUnsafeMutableBufferPointer { s in
                                plain.indices.withUnsafeMutableBufferPointer { i in
                                    TopKHeap.push(row: line, count: line.count, firstIndex: 100 + range.lowerBound,
                                                  scores: s.baseAddress! + slots[row], indices: i.baseAddress! + slots[row], k: k)
                                }
                            }
                        }
                    }
                    let context = "columns \(columns), k \(k), norms \(useNorms), slots \(useSlots)"
                    XCTAssertEqual(fast.scores, plain.scores, context)
                    XCTAssertEqual(fast.indices, plain.indices, context)
                }
            }
        }
    }

    /// Dimensions below, at and across the 16 lanes, counts around the 4-vector and 64-score steps, a
    /// heap that already holds entries: the heap of `strata_query_scores` then `TopKHeap`, bit for bit.
    func testScanTopKMatchesScoresThenTheHeap() {
        for dimension in [5, 16, 64, 70] {
            for count in [0, 3, 63, 64, 65, 200] {
                let vectors = RetrievalTestData.normal(count: count, dimension: dimension, seed: UInt64(dimension * 1000 + count))
                let query = Array(RetrievalTestData.normal(count: 1, dimension: dimension, seed: 7).values)
                let norms = MatrixProduct.squaredNorms(vectors)
                for (useNorms, k) in [(false, 1), (true, 1), (false, 10), (true, 10)] {
                    // A heap from an earlier list: one entry that most scores do not beat.
                    var fast = (scores: [Float](repeating: -.infinity, count: k), indices: [Int](repeating: TopKHeap.emptyIndex, count: k))
                    TopKHeap.push(0.5, 7, scores: &fast.scores, indices: &fast.indices, k: k)
                    var plain = fast
                    var scores = [Float](repeating: .nan, count: count)
                    vectors.values.withUnsafeBufferPointer { x in
                        norms.withUnsafeBufferPointer { n in
                            strata_scan_top_k(query, x.baseAddress, count, dimension, useNorms ? n.baseAddress : nil, 1 << 32,
                                              &fast.scores, &fast.indices, k)
                            strata_query_scores(query, x.baseAddress, count, dimension, useNorms ? n.baseAddress : nil, &scores)
                        }
                    }
                    plain.scores.withUnsafeMutableBufferPointer { s in
                        plain.indices.withUnsafeMutableBufferPointer { i in
                            TopKHeap.push(row: scores, count: count, firstIndex: 1 << 32, scores: s.baseAddress!,
                                          indices: i.baseAddress!, k: k)
                        }
                    }
                    let context = "dimension \(dimension), count \(count), norms \(useNorms), k \(k)"
                    XCTAssertEqual(fast.scores, plain.scores, context)
                    XCTAssertEqual(fast.indices, plain.indices, context)
                }
            }
        }
    }
}
