import CStrataKernels
import StrataCore

/// An inverted-file index: k-means centres as a coarse quantiser and one `InvertedList` per centre;
/// a search visits the `nprobe` lists whose centres are closest to the query and takes the exact
/// top-k among their items.
///
/// ```swift
/// var index = try IVFIndex.train(on: embeddings, listCount: 40, options: KMeansOptions(clusterCount: 40))
/// try index.add(embeddings, items: photos)
/// let hits = try index.search(queries, k: 10, nprobe: 4)      // (queries) arrays of hits, best first
/// ```
///
/// The quantiser uses the index's metric: a vector goes to (and a query probes) the centres of highest
/// inner product, or of lowest L2 distance. Batched search groups the queries by the lists they
/// probe, so each list is read once and multiplied by all its queries in one product.
public struct IVFIndex: Sendable, Equatable {
    /// How queries are compared with centres and stored vectors.
    public let metric: IndexMetric
    /// The number of values in each vector.
    public let dimension: Int
    /// The coarse centres: `(listCount, dimension)`.
    public let centres: VectorSet
    /// One list of items per centre.
    public private(set) var lists: [InvertedList]
    /// `‖c‖²` of each centre (L2 metric) or empty.
    private let centreNorms: [Float]

    /// The number of lists (centres).
    public var listCount: Int { centres.count }
    /// The number of stored items.
    public var count: Int { lists.reduce(0) { $0 + $1.count } }

    /// An empty index whose lists are the cells of `centres (listCount, dimension)`.
    public init(centres: VectorSet, metric: IndexMetric = .innerProduct) {
        precondition(centres.count > 0, "IVFIndex.init: at least one centre is needed")
        self.metric = metric
        self.dimension = centres.dimension
        self.centres = centres
        self.lists = Array(repeating: InvertedList(dimension: centres.dimension), count: centres.count)
        self.centreNorms = metric == .l2 ? MatrixProduct.squaredNorms(centres) : []
    }

    /// An index holding `lists` already (as loaded from a file).
    init(centres: VectorSet, metric: IndexMetric, lists: [InvertedList]) {
        self.init(centres: centres, metric: metric)
        self.lists = lists
    }

    /// An empty index whose centres come from k-means on `vectors` (`options.clusterCount` is set to
    /// `listCount`; set `options.spherical` for unit-length centres).
    public static func train(on vectors: VectorSet, listCount: Int, metric: IndexMetric = .innerProduct,
                             options: KMeansOptions = KMeansOptions(clusterCount: 1)) throws -> IVFIndex {
        var options = options
        options.clusterCount = listCount
        let result = try KMeans(options: options).fit(vectors)
        return IVFIndex(centres: result.centres, metric: metric)
    }

    /// Stores `vectors (count, dimension)` with their `items`, each in the list of its nearest centre.
    public mutating func add(_ vectors: VectorSet, items: [IndexItem]) throws {
        try FlatIndex.checkAdd(vectors, items: items, dimension: dimension, context: "IVFIndex.add")
        let assigned = nearest(vectors, count: 1)
        var members = [[Int]](repeating: [], count: listCount)
        for i in 0..<vectors.count { members[assigned.indices[i]].append(i) }
        for (list, rows) in members.enumerated() where !rows.isEmpty {
            var values: [Float] = []
            values.reserveCapacity(rows.count * dimension)
            for row in rows { values += vectors.vector(at: row) }
            lists[list].append(rows.map { items[$0] }, vectors: VectorSet(dimension: dimension, values: values))
        }
    }

    /// The `count` lists whose centres are closest to each query, closest first, with the query's
    /// inner product with the centre (or squared L2 distance to it).
    public func nearestLists(_ queries: VectorSet, count: Int) throws -> [[(list: Int, score: Float)]] {
        try FlatIndex.checkSearch(queries, k: count, dimension: dimension, context: "IVFIndex.nearestLists")
        let probes = min(count, listCount)
        let found = nearest(queries, count: probes)
        let queryNorms = metric == .l2 ? MatrixProduct.squaredNorms(queries) : []
        return (0..<queries.count).map { query in
            (0..<probes).map { j in
                let score = found.scores[query * probes + j]
                return (found.indices[query * probes + j], metric == .l2 ? max(0, queryNorms[query] - score) : score)
            }
        }
    }

    /// The best `k` items for each query of `queries (count, dimension)` among the items of its
    /// `nprobe` nearest lists, best first.
    public func search(_ queries: VectorSet, k: Int, nprobe: Int) throws -> [[SearchHit]] {
        try FlatIndex.checkSearch(queries, k: k, dimension: dimension, context: "IVFIndex.search")
        guard nprobe >= 1 else { throw IndexError.invalidParameter(name: "nprobe", reason: "is \(nprobe); it must be at least 1") }
        let probes = min(nprobe, listCount), queryCount = queries.count
        // At most one (query, list) pair per list on average: little to share between queries, so
        // each query scans its own lists directly.
        let found = queryCount * probes <= listCount ? searchEach(queries, k: k, probes: probes)
                                                     : searchGrouped(queries, k: k, probes: probes)
        let queryNorms = metric == .l2 ? MatrixProduct.squaredNorms(queries) : []
        return (0..<queryCount).map { query in
            (0..<k).compactMap { j -> SearchHit? in
                let code = found.indices[query * k + j]
                guard code != TopKHeap.emptyIndex else { return nil }
                let list = code >> 32, position = code & 0xFFFF_FFFF, score = found.scores[query * k + j]
                return SearchHit(item: lists[list].item(at: position),
                                 score: metric == .l2 ? max(0, queryNorms[query] - score) : score, cluster: list)
            }
        }
    }

    /// The best `k` items for one `query` of `dimension` values among its `nprobe` nearest lists.
    public func search(_ query: [Float], k: Int, nprobe: Int) throws -> [SearchHit] {
        guard query.count == dimension else {
            throw IndexError.dimensionMismatch(context: "IVFIndex.search", expected: dimension, found: query.count)
        }
        return try search(VectorSet(dimension: dimension, values: query), k: k, nprobe: nprobe)[0]
    }

    /// The top `k` (ranking scores, `list << 32 | position` codes) of each query among its `probes`
    /// nearest lists, the queries grouped by list. The queries are split into one contiguous part per
    /// thread; inside a part, each list is read once and multiplied by all the part's queries that probe
    /// it in one product, whose scores go straight to each query's one heap (so no heaps to merge, and a
    /// query's later lists are compared with the best of its earlier ones).
    private func searchGrouped(_ queries: VectorSet, k: Int, probes: Int) -> ExhaustiveSearch.Result {
        let queryCount = queries.count
        let coarse = nearest(queries, count: probes)
        var found = ExhaustiveSearch.Result(k: k, scores: [Float](repeating: -.infinity, count: queryCount * k),
                                            indices: [Int](repeating: TopKHeap.emptyIndex, count: queryCount * k))
        // Little work (one query, a few short lists): one part, since waking the other threads costs
        // more than the scan.
        var scanned = 0
        for list in coarse.indices { scanned += lists[list].count }
        let parts = scanned * dimension >= ThreadPolicy.parallelMultiplyAdds ? min(queryCount, ThreadPolicy.threadCount) : 1
        found.scores.withUnsafeMutableBufferPointer { scoreTable in
            found.indices.withUnsafeMutableBufferPointer { indexTable in
                queries.values.withUnsafeBufferPointer { q in
                    let scoreBase = scoreTable.baseAddress!, indexBase = indexTable.baseAddress!
                    ParallelWork.run(parts: parts) { part in
                        let range = ParallelWork.slice(part, of: parts, count: queryCount)
                        let pairs = (range.lowerBound * probes)..<(range.upperBound * probes)
                        // The part's queries grouped by the lists they probe (a counting sort).
                        var starts = [Int](repeating: 0, count: listCount + 1)
                        for pair in pairs { starts[coarse.indices[pair] + 1] += 1 }
                        for list in 0..<listCount { starts[list + 1] += starts[list] }
                        var members = [Int](repeating: 0, count: pairs.count), fill = starts
                        for pair in pairs {
                            let list = coarse.indices[pair]
                            members[fill[list]] = pair / probes
                            fill[list] += 1
                        }
                        for list in 0..<listCount where starts[list + 1] > starts[list] && lists[list].count > 0 {
                            scan(list, queries: members[starts[list]..<starts[list + 1]], values: q.baseAddress!,
                                 scores: scoreBase, indices: indexBase, k: k)
                        }
                        for query in range {
                            TopKHeap.sortInPlace(scores: scoreBase + query * k, indices: indexBase + query * k, k: k)
                        }
                    }
                }
            }
        }
        return found
    }

    /// As `searchGrouped`, for few queries: each query keeps one heap and scans its lists in probe
    /// order with `DirectScan` (no product, no grouping, no buffer per list, no merge).
    private func searchEach(_ queries: VectorSet, k: Int, probes: Int) -> ExhaustiveSearch.Result {
        let queryCount = queries.count
        let coarse = nearest(queries, count: probes)
        var found = ExhaustiveSearch.Result(k: k, scores: [Float](repeating: -.infinity, count: queryCount * k),
                                            indices: [Int](repeating: TopKHeap.emptyIndex, count: queryCount * k))
        var multiplyAdds = 0
        for list in coarse.indices { multiplyAdds += lists[list].count * dimension }
        let parts = multiplyAdds >= ThreadPolicy.parallelMultiplyAdds ? min(queryCount, ThreadPolicy.threadCount) : 1
        found.scores.withUnsafeMutableBufferPointer { scoreTable in
            found.indices.withUnsafeMutableBufferPointer { indexTable in
                queries.values.withUnsafeBufferPointer { q in
                    let scoreBase = scoreTable.baseAddress!, indexBase = indexTable.baseAddress!
                    ParallelWork.run(parts: parts) { part in
                        for query in ParallelWork.slice(part, of: parts, count: queryCount) {
                            let slot = query * k
                            for probe in 0..<probes {
                                let list = coarse.indices[query * probes + probe]
                                scanDirectly(list, query: q.baseAddress! + query * dimension,
                                             scores: scoreBase + slot, indices: indexBase + slot, k: k)
                            }
                            TopKHeap.sortInPlace(scores: scoreBase + slot, indices: indexBase + slot, k: k)
                        }
                    }
                }
            }
        }
        return found
    }

    /// Offers the scores of one `query` against every vector of `list` to its heap at `scores`/`indices`.
    private func scanDirectly(_ list: Int, query: UnsafePointer<Float>, scores: UnsafeMutablePointer<Float>,
                              indices: UnsafeMutablePointer<Int>, k: Int) {
        let members = lists[list]
        guard members.count > 0 else { return }
        members.vectors.values.withUnsafeBufferPointer { x in
            members.squaredNorms.withUnsafeBufferPointer { norms in
                DirectScan.offer(query: query, vectors: x.baseAddress!, count: members.count, dimension: dimension,
                                 squaredNorms: metric == .l2 ? norms.baseAddress! : nil, firstIndex: list << 32,
                                 scores: scores, indices: indices, k: k)
            }
        }
    }

    /// Multiplies the `queries` (rows of `values`) that probe `list` by its vectors, block by block,
    /// and offers each query's scores to its heap (query `q`'s at `scores`/`indices + q · k`); stored
    /// indices are `list << 32 | position`. Blocks are shaped as `ExhaustiveSearch`'s top-k blocks.
    private func scan(_ list: Int, queries: ArraySlice<Int>, values: UnsafePointer<Float>,
                      scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>, k: Int) {
        let stored = lists[list].vectors, storedCount = stored.count
        let queryBlock = max(1, min(queries.count, ExhaustiveSearch.topKQueryBlock))
        let storedBlock = min(ExhaustiveSearch.storedBlock, storedCount,
                              max(16, ExhaustiveSearch.blockEntries / queryBlock))
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock * dimension)
        let product = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock * storedBlock)
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: queryBlock)
        defer { gathered.deallocate(); product.deallocate(); slots.deallocate() }
        stored.values.withUnsafeBufferPointer { x in
            lists[list].squaredNorms.withUnsafeBufferPointer { norms in
                var first = queries.startIndex
                while first < queries.endIndex {
                    let rows = min(queryBlock, queries.endIndex - first)
                    for row in 0..<rows {
                        let query = queries[first + row]
                        (gathered + row * dimension).update(from: values + query * dimension, count: dimension)
                        slots[row] = query * k
                    }
                    var start = 0
                    while start < storedCount {
                        let columns = min(storedBlock, storedCount - start)
                        MatrixProduct.multiplyTransposed(gathered, rows: rows, x.baseAddress! + start * dimension,
                                                         rows: columns, dimension: dimension, into: product)
                        strata_offer_top_k(product, rows, columns, metric == .l2 ? norms.baseAddress! + start : nil,
                                           list << 32 | start, slots, scores, indices, k)
                        start += columns
                    }
                    first += rows
                }
            }
        }
    }

    /// The `count` best centres of each query by the quantiser's ranking score.
    private func nearest(_ queries: VectorSet, count: Int) -> ExhaustiveSearch.Result {
        queries.values.withUnsafeBufferPointer { q in
            centres.values.withUnsafeBufferPointer { c in
                centreNorms.withUnsafeBufferPointer { norms in
                    ExhaustiveSearch.search(queries: q.baseAddress!, queryCount: queries.count, stored: c.baseAddress!,
                                            count: listCount, dimension: dimension,
                                            storedSquaredNorms: metric == .l2 ? norms.baseAddress! : nil, k: count)
                }
            }
        }
    }
}
