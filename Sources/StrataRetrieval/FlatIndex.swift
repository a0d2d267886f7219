/// An exact index: every query is compared with every stored vector (blocked matrix products), and
/// the top-k is kept with a bounded heap.
///
/// ```swift
/// var index = FlatIndex(dimension: 128)                       // inner product = cosine on unit vectors
/// try index.add(embeddings, items: photos)
/// let hits = try index.search(queryEmbeddings, k: 10)         // (queries) arrays of 10 hits, best first
/// ```
public struct FlatIndex: Sendable, Equatable {
    /// How queries are compared with stored vectors.
    public let metric: IndexMetric
    /// The number of values in each vector.
    public let dimension: Int
    /// The stored vectors: `(count, dimension)`.
    public private(set) var vectors: VectorSet
    /// The stored items, in the order of `vectors`.
    public private(set) var items: [IndexItem]
    /// `‖x‖²` of each stored vector (kept for the L2 metric only; empty otherwise).
    private var squaredNorms: [Float] = []

    /// The number of stored items.
    public var count: Int { items.count }

    /// An empty index of `dimension`-long vectors compared by `metric`.
    public init(dimension: Int, metric: IndexMetric = .innerProduct) {
        self.metric = metric
        self.dimension = dimension
        self.vectors = VectorSet(dimension: dimension)
        self.items = []
    }

    /// An index holding `vectors` and their `items` already (as loaded from a file).
    init(dimension: Int, metric: IndexMetric, vectors: VectorSet, items: [IndexItem]) {
        self.init(dimension: dimension, metric: metric)
        self.vectors = vectors
        self.items = items
        if metric == .l2 { squaredNorms = MatrixProduct.squaredNorms(vectors) }
    }

    /// Stores `vectors (count, dimension)` with their `items` (one each, same order).
    public mutating func add(_ vectors: VectorSet, items: [IndexItem]) throws {
        try Self.checkAdd(vectors, items: items, dimension: dimension, context: "FlatIndex.add")
        self.vectors.append(contentsOf: vectors)
        self.items += items
        if metric == .l2 { squaredNorms += MatrixProduct.squaredNorms(vectors) }
    }

    /// The best `k` stored items for each query of `queries (count, dimension)`, best first (fewer when
    /// fewer are stored): highest inner product, or lowest squared distance for L2.
    public func search(_ queries: VectorSet, k: Int) throws -> [[SearchHit]] {
        try Self.checkSearch(queries, k: k, dimension: dimension, context: "FlatIndex.search")
        guard count > 0 else { return Array(repeating: [], count: queries.count) }
        let found = queries.values.withUnsafeBufferPointer { q in
            vectors.values.withUnsafeBufferPointer { x in
                squaredNorms.withUnsafeBufferPointer { norms in
                    ExhaustiveSearch.search(queries: q.baseAddress!, queryCount: queries.count, stored: x.baseAddress!,
                                            count: count, dimension: dimension,
                                            storedSquaredNorms: metric == .l2 ? norms.baseAddress! : nil, k: k)
                }
            }
        }
        let queryNorms = metric == .l2 ? MatrixProduct.squaredNorms(queries) : []
        return (0..<queries.count).map { query in
            (0..<k).compactMap { j -> SearchHit? in
                let index = found.indices[query * k + j]
                guard index != TopKHeap.emptyIndex else { return nil }
                let score = found.scores[query * k + j]
                return SearchHit(item: items[index], score: metric == .l2 ? max(0, queryNorms[query] - score) : score)
            }
        }
    }

    /// The best `k` stored items for one `query` of `dimension` values, best first.
    public func search(_ query: [Float], k: Int) throws -> [SearchHit] {
        guard query.count == dimension else {
            throw IndexError.dimensionMismatch(context: "FlatIndex.search", expected: dimension, found: query.count)
        }
        return try search(VectorSet(dimension: dimension, values: query), k: k)[0]
    }

    /// Throws unless `vectors` has `dimension` and one item each.
    static func checkAdd(_ vectors: VectorSet, items: [IndexItem], dimension: Int, context: String) throws {
        guard vectors.dimension == dimension else {
            throw IndexError.dimensionMismatch(context: context, expected: dimension, found: vectors.dimension)
        }
        guard vectors.count == items.count else {
            throw IndexError.invalidParameter(name: "items", reason: "holds \(items.count) items for \(vectors.count) vectors")
        }
    }

    /// Throws unless `queries` has `dimension` and `k` is at least 1.
    static func checkSearch(_ queries: VectorSet, k: Int, dimension: Int, context: String) throws {
        guard queries.dimension == dimension else {
            throw IndexError.dimensionMismatch(context: context, expected: dimension, found: queries.dimension)
        }
        guard k >= 1 else { throw IndexError.invalidParameter(name: "k", reason: "is \(k); it must be at least 1") }
    }
}
