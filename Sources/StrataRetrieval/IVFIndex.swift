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
    /// nearest lists, the queries grouped by list: each list is multiplied by all its queries at once.
    private func searchGrouped(_ queries: VectorSet, k: Int, probes: Int) -> ExhaustiveSearch.Result {
        let queryCount = queries.count
        let coarse = nearest(queries, count: probes)
        // The (query, probe rank) pairs of each list, grouped by list.
        var starts = [Int](repeating: 0, count: listCount + 1)
        for list in coarse.indices { starts[list + 1] += 1 }
        for list in 0..<listCount { starts[list + 1] += starts[list] }
        var pairs = [Int](repeating: 0, count: queryCount * probes), fill = starts
        for pair in 0..<(queryCount * probes) {
            let list = coarse.indices[pair]
            pairs[fill[list]] = pair
            fill[list] += 1
        }
        let visited = (0..<listCount).filter { starts[$0 + 1] > starts[$0] && lists[$0].count > 0 }
        // One heap per (probe rank, query), laid out as ExhaustiveSearch.merged expects.
        var partial = ExhaustiveSearch.Result(k: k, scores: [Float](repeating: -.infinity, count: probes * queryCount * k),
                                              indices: [Int](repeating: TopKHeap.emptyIndex, count: probes * queryCount * k))
        partial.scores.withUnsafeMutableBufferPointer { scoreTable in
            partial.indices.withUnsafeMutableBufferPointer { indexTable in
                queries.values.withUnsafeBufferPointer { q in
                    let scoreBase = scoreTable.baseAddress!, indexBase = indexTable.baseAddress!
                    // Little work (one query, a few short lists): all lists on this thread, since
                    // waking the other threads costs more than the scan.
                    let multiplyAdds = visited.reduce(0) { $0 + (starts[$1 + 1] - starts[$1]) * lists[$1].count } * dimension
                    let parallel = multiplyAdds >= ThreadPolicy.parallelMultiplyAdds
                    ParallelWork.run(parts: parallel ? visited.count : min(visited.count, 1)) { part in
                        for task in parallel ? part..<(part + 1) : 0..<visited.count {
                            let list = visited[task]
                            let slots = pairs[starts[list]..<starts[list + 1]].map { pair in
                                (pair % probes * queryCount + pair / probes) * k
                            }
                            scan(list, queries: pairs[starts[list]..<starts[list + 1]].map { $0 / probes }, values: q.baseAddress!,
                                 slots: slots, scores: scoreBase, indices: indexBase, k: k)
                        }
                    }
                }
            }
        }
        return ExhaustiveSearch.merged(&partial, splits: probes, queryCount: queryCount)
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
    /// and offers each query's scores to its heap at `slots`; stored indices are `list << 32 | position`.
    private func scan(_ list: Int, queries: [Int], values: UnsafePointer<Float>, slots: [Int],
                      scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>, k: Int) {
        let stored = lists[list].vectors, storedCount = stored.count
        let storedBlock = min(ExhaustiveSearch.storedBlock, storedCount)
        let queryBlock = max(1, min(queries.count, ExhaustiveSearch.blockEntries / storedBlock))
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock * dimension)
        let product = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock * storedBlock)
        defer { gathered.deallocate(); product.deallocate() }
        let norms = lists[list].squaredNorms
        stored.values.withUnsafeBufferPointer { x in
            var first = 0
            while first < queries.count {
                let rows = min(queryBlock, queries.count - first)
                for row in 0..<rows {
                    (gathered + row * dimension).update(from: values + queries[first + row] * dimension, count: dimension)
                }
                var start = 0
                while start < storedCount {
                    let columns = min(storedBlock, storedCount - start)
                    MatrixProduct.multiplyTransposed(gathered, rows: rows, x.baseAddress! + start * dimension, rows: columns,
                                                     dimension: dimension, into: product)
                    for row in 0..<rows {
                        let line = product + row * columns
                        if metric == .l2 { for j in 0..<columns { line[j] = 2 * line[j] - norms[start + j] } }
                        let slot = slots[first + row]
                        TopKHeap.push(row: line, count: columns, firstIndex: list << 32 | start,
                                      scores: scores + slot, indices: indices + slot, k: k)
                    }
                    start += columns
                }
                first += rows
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
