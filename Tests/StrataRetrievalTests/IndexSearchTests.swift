import StrataCore
import StrataTestSupport
import XCTest
@testable import StrataRetrieval

final class IndexSearchTests: XCTestCase {
    let stored = RetrievalTestData.unit(RetrievalTestData.normal(count: 400, dimension: 6, seed: 21))
    let queries = RetrievalTestData.unit(RetrievalTestData.normal(count: 25, dimension: 6, seed: 22))

    func testFlatSearchMatchesBruteForceWithScores() throws {
        for metric in IndexMetric.allCases {
            var index = FlatIndex(dimension: 6, metric: metric)
            try index.add(stored, items: RetrievalTestData.items(count: 400))
            let hits = try index.search(queries, k: 5)
            for query in 0..<25 {
                let expected = RetrievalTestData.bruteForce(queries.vector(at: query), stored, k: 5, metric: metric)
                XCTAssertEqual(hits[query].map(\.item.id), expected.map(\.position), "\(metric)")
                assertClose(hits[query].map(\.score), expected.map(\.score), rtol: 1e-4, atol: 1e-5)
            }
            let single = try index.search(Array(queries.vector(at: 3)), k: 5)
            XCTAssertEqual(single.map(\.item), hits[3].map(\.item))
            assertClose(single.map(\.score), hits[3].map(\.score), rtol: 1e-5, atol: 1e-6)
        }
    }

    func testFlatSingleQueryOnOneThreadScansDirectlyToTheSameAnswer() throws {
        let threads = ThreadPolicy.threadCount
        defer { ThreadPolicy.setThreadCount(threads) }
        for metric in IndexMetric.allCases {
            var index = FlatIndex(dimension: 6, metric: metric)
            try index.add(stored, items: RetrievalTestData.items(count: 400))
            ThreadPolicy.setThreadCount(2)
            let blocked = try index.search(queries, k: 7)
            ThreadPolicy.setThreadCount(1)
            for query in 0..<25 {
                let single = try index.search(Array(queries.vector(at: query)), k: 7)
                let expected = RetrievalTestData.bruteForce(queries.vector(at: query), stored, k: 7, metric: metric)
                XCTAssertEqual(single.map(\.item.id), expected.map(\.position), "\(metric) query \(query)")
                XCTAssertEqual(single.map(\.item), blocked[query].map(\.item), "\(metric) query \(query)")
                assertClose(single.map(\.score), blocked[query].map(\.score), rtol: 1e-5, atol: 1e-5)
            }
            // k larger than the stored count leaves no empty entries in the answer.
            var small = FlatIndex(dimension: 6, metric: metric)
            try small.add(VectorSet(dimension: 6, values: Array(stored.values.prefix(18))), items: RetrievalTestData.items(count: 3))
            XCTAssertEqual(try small.search(Array(queries.vector(at: 0)), k: 5).count, 3)
        }
    }

    func testFlatIndexRefusesWrongDimensionsAndK() {
        var index = FlatIndex(dimension: 6)
        XCTAssertThrowsError(try index.add(VectorSet(dimension: 4, values: [1, 0, 0, 0]), items: RetrievalTestData.items(count: 1))) {
            XCTAssertEqual(($0 as? IndexError)?.description, "FlatIndex.add: field 'dimension' is 4 but 6 is expected")
        }
        XCTAssertThrowsError(try index.search(queries, k: 0)) {
            XCTAssertEqual($0 as? IndexError, .invalidParameter(name: "k", reason: "is 0; it must be at least 1"))
        }
        XCTAssertEqual(try index.search(queries, k: 3).count, 25)
    }

    /// Probing every list is exact, so IVF then agrees with the flat index; with nprobe 1 every hit
    /// comes from the query's nearest list.
    func testIVFWithAllListsProbedIsExact() throws {
        for metric in IndexMetric.allCases {
            var ivf = try IVFIndex.train(on: stored, listCount: 8, metric: metric,
                                         options: KMeansOptions(clusterCount: 8, seed: 3))
            try ivf.add(stored, items: RetrievalTestData.items(count: 400))
            XCTAssertEqual(ivf.count, 400)
            var flat = FlatIndex(dimension: 6, metric: metric)
            try flat.add(stored, items: RetrievalTestData.items(count: 400))
            let exact = try flat.search(queries, k: 10)
            let probed = try ivf.search(queries, k: 10, nprobe: 8)
            XCTAssertEqual(probed.map { $0.map(\.item) }, exact.map { $0.map(\.item) }, "\(metric)")
            let nearest = try ivf.nearestLists(queries, count: 1)
            let one = try ivf.search(queries, k: 10, nprobe: 1)
            for query in 0..<25 {
                XCTAssertTrue(one[query].allSatisfy { $0.cluster == nearest[query][0].list })
                let members = Set(ivf.lists[nearest[query][0].list].items)
                XCTAssertTrue(one[query].allSatisfy { members.contains($0.item) })
                let single = try ivf.search(Array(queries.vector(at: query)), k: 10, nprobe: 3)
                let batched = try ivf.search(queries, k: 10, nprobe: 3)[query]
                XCTAssertEqual(single.map(\.item), batched.map(\.item))
                XCTAssertEqual(single.map(\.cluster), batched.map(\.cluster))
                assertClose(single.map(\.score), batched.map(\.score), rtol: 1e-5, atol: 1e-6)
            }
        }
    }

    /// One query, or a batch of two, at most one (query, list) pair per list: each query scans its
    /// lists directly (no product). With every list probed that is the flat index's answer, and at
    /// nprobe 3 it is the grouped path's answer (25 queries × 3 probes > 8 lists).
    func testDirectScanOfFewQueriesMatchesFlatAndTheGroupedPath() throws {
        for metric in IndexMetric.allCases {
            var ivf = try IVFIndex.train(on: stored, listCount: 8, metric: metric,
                                         options: KMeansOptions(clusterCount: 8, seed: 3))
            try ivf.add(stored, items: RetrievalTestData.items(count: 400))
            var flat = FlatIndex(dimension: 6, metric: metric)
            try flat.add(stored, items: RetrievalTestData.items(count: 400))
            let exact = try flat.search(queries, k: 10)
            let grouped = try ivf.search(queries, k: 10, nprobe: 3)
            for query in 0..<25 {
                let all = try ivf.search(Array(queries.vector(at: query)), k: 10, nprobe: 8)
                XCTAssertEqual(all.map(\.item), exact[query].map(\.item), "\(metric), query \(query)")
                assertClose(all.map(\.score), exact[query].map(\.score), rtol: 1e-5, atol: 1e-5)
            }
            for first in stride(from: 0, to: 24, by: 2) {
                let pair = VectorSet(dimension: 6, values: Array(queries.values[(first * 6)..<((first + 2) * 6)]))
                let each = try ivf.search(pair, k: 10, nprobe: 3)  // 2 × 3 ≤ 8: scanned directly
                for j in 0..<2 {
                    XCTAssertEqual(each[j].map(\.item), grouped[first + j].map(\.item), "\(metric), query \(first + j)")
                    XCTAssertEqual(each[j].map(\.cluster), grouped[first + j].map(\.cluster))
                    assertClose(each[j].map(\.score), grouped[first + j].map(\.score), rtol: 1e-5, atol: 1e-6)
                }
            }
        }
    }

    /// Small searches scan every list on the calling thread; forcing one part per list (and
    /// multi-threaded products) on two threads gives the same answers.
    func testIVFSearchOnOneThreadMatchesListsSpreadOverThreads() throws {
        let threads = ThreadPolicy.threadCount, threshold = ThreadPolicy.parallelMultiplyAdds
        defer { ThreadPolicy.setThreadCount(threads); ThreadPolicy.parallelMultiplyAdds = threshold }
        ThreadPolicy.setThreadCount(2)
        for metric in IndexMetric.allCases {
            var ivf = try IVFIndex.train(on: stored, listCount: 8, metric: metric,
                                         options: KMeansOptions(clusterCount: 8, seed: 3))
            try ivf.add(stored, items: RetrievalTestData.items(count: 400))
            ThreadPolicy.parallelMultiplyAdds = Int.max  // every list on the calling thread
            let alone = try ivf.search(queries, k: 10, nprobe: 4)
            let single = try ivf.search(Array(queries.vector(at: 0)), k: 10, nprobe: 4)
            ThreadPolicy.parallelMultiplyAdds = 0  // one part per list, products on both threads
            let spread = try ivf.search(queries, k: 10, nprobe: 4)
            XCTAssertEqual(alone.map { $0.map(\.item) }, spread.map { $0.map(\.item) }, "\(metric)")
            XCTAssertEqual(alone.map { $0.map(\.cluster) }, spread.map { $0.map(\.cluster) }, "\(metric)")
            assertClose(alone.flatMap { $0.map(\.score) }, spread.flatMap { $0.map(\.score) }, rtol: 1e-5, atol: 1e-6)
            XCTAssertEqual(single.map(\.item), spread[0].map(\.item), "\(metric)")
        }
    }

    /// Each item lands in the list of its nearest centre, with its label and path, contiguously.
    func testIVFAddPutsItemsInTheirNearestList() throws {
        let centres = VectorSet(dimension: 2, values: [1, 0, 0, 1])
        var ivf = IVFIndex(centres: centres)
        try ivf.add(VectorSet(dimension: 2, values: [0.9, 0.1, 0.2, 0.8, 0.7, 0.3]), items: RetrievalTestData.items(count: 3))
        XCTAssertEqual(ivf.lists[0].ids, [0, 2])
        XCTAssertEqual(ivf.lists[0].vectors.values, [0.9, 0.1, 0.7, 0.3])
        XCTAssertEqual(ivf.lists[1].items, [IndexItem(id: 1, label: "person0", path: "photos/1.pgm")])
        try ivf.add(VectorSet(dimension: 2, values: [0, 1]), items: [IndexItem(id: 9, label: "new", path: "n.pgm")])
        XCTAssertEqual(ivf.lists[1].labels, ["person0", "new"])
        XCTAssertEqual(try ivf.search([0.1, 1], k: 1, nprobe: 1).first?.item.id, 9)
    }
}
