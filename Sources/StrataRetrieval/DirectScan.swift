import CStrataKernels

/// One query scored against a run of stored vectors without a matrix product, straight into a
/// bounded top-k heap: the IVF scan for a single query or a few, where an `sgemm` call, a product
/// buffer and a heap merge per list cost more than the arithmetic.
///
/// Scores are those of `ExhaustiveSearch` (`q·x`, or `2q·x − ‖x‖²` for L2), computed by the C
/// kernel `strata_scan_top_k` (the scores of `strata_query_scores`, 16 lanes, fixed order, so every
/// CPU variant gives the same bits) and offered to the heap as they are made; they may differ from
/// the `sgemm` ones in the last bits, as two products summed in a different order do.
enum DirectScan {
    /// Offers the score of `query (dimension)` against each row of `vectors (count, dimension)` to
    /// the heap of `k` slots at `scores`/`indices`, row `r` as index `firstIndex + r`;
    /// `squaredNorms (count)` given means L2 ranking, nil means inner product.
    static func offer(query: UnsafePointer<Float>, vectors: UnsafePointer<Float>, count: Int, dimension: Int,
                      squaredNorms: UnsafePointer<Float>?, firstIndex: Int,
                      scores: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>, k: Int) {
        strata_scan_top_k(query, vectors, count, dimension, squaredNorms, firstIndex, scores, indices, k)
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
