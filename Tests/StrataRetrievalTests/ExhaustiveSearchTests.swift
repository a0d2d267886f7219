import StrataCore
import StrataTestSupport
import XCTest
@testable import StrataRetrieval

final class ExhaustiveSearchTests: XCTestCase {
    func testMatrixProductMatchesTripleLoop() {
        let a = RetrievalTestData.normal(count: 37, dimension: 13, seed: 1)
        let b = RetrievalTestData.normal(count: 29, dimension: 13, seed: 2)
        var c = [Float](repeating: .nan, count: 37 * 29)
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    MatrixProduct.multiplyTransposed(pa.baseAddress!, rows: 37, pb.baseAddress!, rows: 29, dimension: 13,
                                                     into: pc.baseAddress!)
                }
            }
        }
        assertClose(c, MatrixProduct.referenceMultiplyTransposed(a.values, rows: 37, b.values, rows: 29, dimension: 13),
                    rtol: 1e-4, atol: 1e-4)
    }

    func testHeapKeepsTheBestKInOrderWithTiesToTheLowerIndex() {
        var scores = [Float](repeating: 0, count: 3), indices = [Int](repeating: 0, count: 3)
        scores.withUnsafeMutableBufferPointer { s in
            indices.withUnsafeMutableBufferPointer { i in
                TopKHeap.clear(scores: s.baseAddress!, indices: i.baseAddress!, k: 3)
                let row: [Float] = [0.5, 0.9, 0.1, 0.9, 0.7, 0.2]
                row.withUnsafeBufferPointer {
                    TopKHeap.push(row: $0.baseAddress!, count: 6, firstIndex: 10, scores: s.baseAddress!,
                                  indices: i.baseAddress!, k: 3)
                }
                TopKHeap.sortInPlace(scores: s.baseAddress!, indices: i.baseAddress!, k: 3)
            }
        }
        XCTAssertEqual(indices, [11, 13, 14])
        XCTAssertEqual(scores, [0.9, 0.9, 0.7])
    }

    /// The heap against a full sort on many random rows, with fewer candidates than slots at times.
    func testHeapMatchesAFullSort() {
        var generator = RandomGenerator(seed: 9)
        for trial in 0..<50 {
            let k = 1 + trial % 7, count = trial % 13
            let row = (0..<count).map { _ in Float(generator.nextInt(below: 5)) }
            var scores = [Float](repeating: 0, count: k), indices = [Int](repeating: 0, count: k)
            scores.withUnsafeMutableBufferPointer { s in
                indices.withUnsafeMutableBufferPointer { i in
                    TopKHeap.clear(scores: s.baseAddress!, indices: i.baseAddress!, k: k)
                    for (j, score) in row.enumerated() { TopKHeap.push(score, j, scores: s.baseAddress!, indices: i.baseAddress!, k: k) }
                    TopKHeap.sortInPlace(scores: s.baseAddress!, indices: i.baseAddress!, k: k)
                }
            }
            let expected = row.enumerated().sorted { ($0.element, -$0.offset) > ($1.element, -$1.offset) }.prefix(k)
            XCTAssertEqual(Array(indices.prefix(expected.count)), expected.map(\.offset), "row \(row), k \(k)")
            XCTAssertTrue(indices.dropFirst(expected.count).allSatisfy { $0 == TopKHeap.emptyIndex })
        }
    }

    /// Crosses many stored blocks (300 queries in one block, 436 stored vectors per block) and the split across threads.
    func testSearchMatchesBruteForceForBothMetrics() {
        let stored = RetrievalTestData.normal(count: 5000, dimension: 8, seed: 3)
        let queries = RetrievalTestData.normal(count: 300, dimension: 8, seed: 4)
        for metric in IndexMetric.allCases {
            let norms = MatrixProduct.squaredNorms(stored)
            let found = queries.values.withUnsafeBufferPointer { q in
                stored.values.withUnsafeBufferPointer { x in
                    norms.withUnsafeBufferPointer { n in
                        ExhaustiveSearch.search(queries: q.baseAddress!, queryCount: 300, stored: x.baseAddress!, count: 5000,
                                                dimension: 8, storedSquaredNorms: metric == .l2 ? n.baseAddress! : nil, k: 7)
                    }
                }
            }
            for query in stride(from: 0, to: 300, by: 37) {
                let expected = RetrievalTestData.bruteForce(queries.vector(at: query), stored, k: 7, metric: metric)
                XCTAssertEqual(Array(found.indices[(query * 7)..<(query * 7 + 7)]), expected.map(\.position), "\(metric)")
            }
        }
    }

    func testFewerStoredThanKLeavesEmptyEntries() {
        let stored = VectorSet(dimension: 2, values: [1, 0, 0, 1])
        let query: [Float] = [1, 0.5]
        let found = query.withUnsafeBufferPointer { q in
            stored.values.withUnsafeBufferPointer { x in
                ExhaustiveSearch.search(queries: q.baseAddress!, queryCount: 1, stored: x.baseAddress!, count: 2,
                                        dimension: 2, storedSquaredNorms: nil, k: 4)
            }
        }
        XCTAssertEqual(found.indices, [0, 1, TopKHeap.emptyIndex, TopKHeap.emptyIndex])
        XCTAssertEqual(Array(found.scores[0..<2]), [1, 0.5])
    }
}
