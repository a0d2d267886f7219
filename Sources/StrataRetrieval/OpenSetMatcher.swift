/// Matches a query embedding to an enrolled person, or answers "unknown", using an `IVFIndex` of
/// unit-length embeddings compared by inner product (cosine).
///
/// ```swift
/// let matcher = try OpenSetMatcher(index: index, method: .nearestItem(threshold: 0.6), nprobe: 4)
/// let match = try matcher.match(embedding)
/// print(match.label ?? "unknown", match.similarity)
/// ```
public struct OpenSetMatcher: Sendable {
    /// How the answer is chosen.
    public enum Method: Sendable, Equatable {
        /// The label of the most similar item among the probed clusters; "unknown" when its cosine is
        /// at or below `threshold`.
        case nearestItem(threshold: Float)
        /// The original method: the cluster whose centre has the highest inner product with the query
        /// (centres are means of unit vectors, not rescaled, so the scores come out below the cosine),
        /// answered with its items and their most common label; "unknown" at or below `threshold`.
        case nearestCentre(threshold: Float = 0.8)
    }

    /// The enrolled items.
    public var index: IVFIndex
    /// How the answer is chosen.
    public var method: Method
    /// The number of clusters searched for neighbours.
    public var nprobe: Int
    /// The number of neighbours reported in each match.
    public var neighbourCount: Int

    /// A matcher over `index`, which must use the inner-product metric.
    public init(index: IVFIndex, method: Method, nprobe: Int = 1, neighbourCount: Int = 5) throws {
        guard index.metric == .innerProduct else {
            throw IndexError.invalidParameter(name: "index.metric", reason: "is \(index.metric.rawValue); matching by "
                + "cosine similarity needs an inner_product index of unit-length embeddings")
        }
        guard nprobe >= 1 else { throw IndexError.invalidParameter(name: "nprobe", reason: "is \(nprobe); it must be at least 1") }
        guard neighbourCount >= 1 else {
            throw IndexError.invalidParameter(name: "neighbourCount", reason: "is \(neighbourCount); it must be at least 1")
        }
        self.index = index
        self.method = method
        self.nprobe = nprobe
        self.neighbourCount = neighbourCount
    }

    /// The match of one unit-length `query` embedding.
    public func match(_ query: [Float]) throws -> Match {
        guard query.count == index.dimension else {
            throw IndexError.dimensionMismatch(context: "OpenSetMatcher.match", expected: index.dimension, found: query.count)
        }
        return try match(VectorSet(dimension: index.dimension, values: query))[0]
    }

    /// The matches of many unit-length embeddings `queries (count, dimension)`, searched together.
    public func match(_ queries: VectorSet) throws -> [Match] {
        let neighbours = try index.search(queries, k: neighbourCount, nprobe: nprobe)
        switch method {
        case let .nearestItem(threshold):
            return neighbours.map { hits in
                guard let best = hits.first else {
                    return Match(label: nil, bestLabel: nil, similarity: -.infinity, item: nil, cluster: nil,
                                 clusterMembers: [], neighbours: [])
                }
                return Match(label: best.score > threshold ? best.item.label : nil, bestLabel: best.item.label,
                             similarity: best.score, item: best.item, cluster: best.cluster,
                             clusterMembers: best.cluster.map { index.lists[$0].items } ?? [], neighbours: hits)
            }
        case let .nearestCentre(threshold):
            let centres = try index.nearestLists(queries, count: 1)
            return (0..<queries.count).map { query in
                let (cluster, similarity) = centres[query][0]
                let list = index.lists[cluster]
                let common = Self.mostCommonLabel(list.labels)
                return Match(label: similarity > threshold ? common : nil, bestLabel: common, similarity: similarity,
                             item: Self.nearestMember(of: list, to: queries.vector(at: query)), cluster: cluster,
                             clusterMembers: list.items, neighbours: neighbours[query])
            }
        }
    }

    /// The label that occurs most often (ties: the alphabetically first); nil for no labels.
    static func mostCommonLabel(_ labels: [String]) -> String? {
        var counts: [String: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        return counts.min { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }?.key
    }

    /// The item of `list` with the highest inner product with `query` (the first on ties).
    static func nearestMember(of list: InvertedList, to query: ArraySlice<Float>) -> IndexItem? {
        var best: (position: Int, score: Float)?
        for position in 0..<list.count {
            var score: Float = 0
            for (stored, value) in zip(list.vectors.vector(at: position), query) { score += stored * value }
            if best == nil || score > best!.score { best = (position, score) }
        }
        return best.map { list.item(at: $0.position) }
    }
}
