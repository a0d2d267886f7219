import CStrataKernels

/// One query scored against a run of stored vectors without a matrix product, straight into a
/// bounded top-k heap: the IVF scan for a single query or a few, where an `sgemm` call, a product
/// buffer and a heap merge per list cost more than the arithmetic.
///
/// Scores are those of `ExhaustiveSearch` (`q·x`, or `2q·x − ‖x‖²` for L2), computed by the C
/// kernel `strata_query_scores` (16 lanes, fixed order, so every CPU variant gives the same bits)
/// a chunk at a time into a buffer on the stack; they may differ from the `sgemm` ones in the last
/// bits, as two products summed in a different order do.
enum DirectScan {
    /// Scores per kernel call: the stack buffer holds this many.
    static let chunk = 256

    /// Offers the score of `query (dimension)` against each row of `vectors (count, dimension)` to
    /// the heap of `k` slots at `scores`/`indices`, row `r` as index `firstIndex + r`;
    /// `squaredNorms (count)` given means L2 ranking, nil means inner product.
    static func offer(query: UnsafePointer<Float>, vectors: UnsafePointer<Float>, count: Int, dimension: Int,
                      squaredNorms: UnsafePointer<Float>?, firstIndex: Int,
                      scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>, k: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { buffer in
            let line = buffer.baseAddress!
            var start = 0
            while start < count {
                let rows = min(chunk, count - start)
                strata_query_scores(query, vectors + start * dimension, rows, dimension, squaredNorms.map { $0 + start }, line)
                TopKHeap.push(row: line, count: rows, firstIndex: firstIndex + start, scores: scores, indices: indices, k: k)
                start += rows
            }
        }
    }

    /// The plain twin of `strata_query_scores` that it is tested against: each score in Double, one
    /// coordinate at a time, rounded once.
    static func referenceScores(query: [Float], vectors: VectorSet, squaredNorms: [Float]?) -> [Float] {
        (0..<vectors.count).map { row in
            var total: Double = 0
            for (j, value) in vectors.vector(at: row).enumerated() { total += Double(query[j]) * Double(value) }
            guard let norms = squaredNorms else { return Float(total) }
            return Float(2 * total - Double(norms[row]))
        }
    }
}
