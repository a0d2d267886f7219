import StrataCore
@testable import StrataRetrieval

/// Small synthetic vectors for the retrieval tests.
enum RetrievalTestData {
    /// `count` vectors of `dimension` standard normal values.
    static func normal(count: Int, dimension: Int, seed: UInt64) -> VectorSet {
        var generator = RandomGenerator(seed: seed)
        return VectorSet(dimension: dimension, values: (0..<(count * dimension)).map { _ in generator.nextNormal() })
    }

    /// `set` with every vector rescaled to unit length.
    static func unit(_ set: VectorSet) -> VectorSet {
        var copy = set
        KMeans.normalise(&copy)
        return copy
    }

    /// Items numbered from `first`, labelled `person<id / perLabel>`.
    static func items(count: Int, first: Int = 0, perLabel: Int = 5) -> [IndexItem] {
        (first..<(first + count)).map { IndexItem(id: $0, label: "person\($0 / perLabel)", path: "photos/\($0).pgm") }
    }

    /// `perBlob` points around each of `centres` (rows), with standard deviation `spread`; and the
    /// blob of each point.
    static func blobs(centres: [[Float]], perBlob: Int, spread: Float, seed: UInt64) -> (VectorSet, [Int]) {
        var generator = RandomGenerator(seed: seed)
        var values: [Float] = [], blob: [Int] = []
        for (b, centre) in centres.enumerated() {
            for _ in 0..<perBlob {
                values += centre.map { $0 + spread * generator.nextNormal() }
                blob.append(b)
            }
        }
        return (VectorSet(dimension: centres[0].count, values: values), blob)
    }

    /// The exact top-k by sorting every score (the reference for the indexes): positions and scores,
    /// best first (highest inner product, or lowest squared distance for L2), ties to the lower position.
    static func bruteForce(_ query: ArraySlice<Float>, _ stored: VectorSet, k: Int,
                           metric: IndexMetric) -> [(position: Int, score: Float)] {
        let q = Array(query)
        let scored = (0..<stored.count).map { i -> (position: Int, score: Float) in
            let x = Array(stored.vector(at: i))
            var total: Double = 0
            for j in 0..<q.count {
                total += metric == .l2 ? Double(q[j] - x[j]) * Double(q[j] - x[j]) : Double(q[j]) * Double(x[j])
            }
            return (i, Float(total))
        }
        let sorted = scored.sorted {
            metric == .l2 ? ($0.score, $0.position) < ($1.score, $1.position)
                          : ($0.score > $1.score || ($0.score == $1.score && $0.position < $1.position))
        }
        return Array(sorted.prefix(k))
    }
}
