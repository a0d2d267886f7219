import CStrataKernels
import StrataCore

/// The exact top-k of many queries against many stored vectors, by blocks of matrix products:
/// the kernel under `FlatIndex`, the IVF coarse quantiser and k-means's assignment step.
///
/// Scores are "higher is better": the inner product `q·x`, or for L2 `2q·x − ‖x‖²`, which ranks like
/// the squared distance `‖q‖² + ‖x‖² − 2q·x` (that is `‖q‖² − score`). Work is split into tasks of
/// (a block of queries, a range of stored vectors) that run in parallel; each task multiplies its
/// query block by stored-vector blocks of bounded size, so memory stays bounded for any count.
/// Each product block is read once by a fused C pass that converts, compares and keeps each row's
/// best: `strata_offer_row_best` for k = 1 (k-means's assignment, the IVF fill), `strata_offer_top_k`
/// (16 lanes compared with the heap's worst entry at once) for larger k. Blocks are small enough
/// that the product stays in the L2 cache between the `sgemm` that writes it and that pass.
enum ExhaustiveSearch {
    /// The best `k` of each query, best first: `scores (queries, k)` and `indices (queries, k)`;
    /// entries past the stored count have score `-infinity` and index `TopKHeap.emptyIndex`.
    struct Result {
        /// The number of entries per query.
        let k: Int
        /// `(queries, k)` ranking scores, best first.
        var scores: [Float]
        /// `(queries, k)` positions in the stored vectors, best first.
        var indices: [Int]
    }

    /// Stored vectors per block in one product.
    static let storedBlock = 4096
    /// Queries per block when k > 1: the stored vectors are read once per this many queries, so the
    /// block is wide in queries and narrow in stored vectors (its product within `blockEntries`;
    /// 256 to 2,048 measured within noise of each other on MNIST's 60,000 × 64).
    static let topKQueryBlock = 512
    /// Product entries one block may hold: 512 KiB of floats, so the block stays in a 1 MiB L2
    /// cache beside the stored block between the `sgemm` that writes it and the pass that reads it
    /// (2^16 to 2^19 measured within noise of each other at k = 256 and 1,024, 2^20 slower); the
    /// tests lower it to force many blocks.
    nonisolated(unsafe) static var blockEntries = 1 << 17

    /// The top `k` of each of the `queryCount` rows of `queries` among the `count` rows of `stored`
    /// (all `(·, dimension)`); `storedSquaredNorms` given means L2 ranking, nil means inner product.
    static func search(queries: UnsafePointer<Float>, queryCount: Int, stored: UnsafePointer<Float>, count: Int,
                       dimension: Int, storedSquaredNorms: UnsafePointer<Float>?, k: Int) -> Result {
        precondition(k >= 1, "ExhaustiveSearch.search: k must be at least 1, got \(k)")
        // One query on one thread, or too few stored vectors to share between threads: a direct scan
        // reads each stored vector once, with no product block to write and read back (one-query
        // top-10 on 1M × 64 went 40–74 → 82–89 queries/s).
        if queryCount == 1 && (ThreadPolicy.threadCount == 1 || count * dimension < ThreadPolicy.parallelMultiplyAdds) {
            return scanDirectly(query: queries, stored: stored, count: count, dimension: dimension,
                                storedSquaredNorms: storedSquaredNorms, k: k)
        }
        let storedBlock: Int, queryBlock: Int
        if k == 1 {
            storedBlock = min(Self.storedBlock, max(count, 1))
            queryBlock = max(1, min(4096, blockEntries / storedBlock, queryCount))
        } else {
            queryBlock = max(1, min(topKQueryBlock, queryCount))
            storedBlock = min(Self.storedBlock, max(count, 1), max(16, blockEntries / queryBlock))
        }
        let queryBlocks = (queryCount + queryBlock - 1) / queryBlock
        // Few query blocks: split the stored vectors too, so every thread has work.
        let splits = max(1, min(ParallelWork.partCount(work: count, minimumPerPart: 16_384) / max(queryBlocks, 1),
                                (count + storedBlock - 1) / storedBlock))
        var partial = Result(k: k, scores: [Float](repeating: -.infinity, count: splits * queryCount * k),
                             indices: [Int](repeating: TopKHeap.emptyIndex, count: splits * queryCount * k))
        partial.scores.withUnsafeMutableBufferPointer { scoreTable in
            partial.indices.withUnsafeMutableBufferPointer { indexTable in
                let scoreBase = scoreTable.baseAddress!, indexBase = indexTable.baseAddress!
                ParallelWork.run(parts: queryBlocks * splits) { task in
                    let block = task / splits, split = task % splits
                    let first = block * queryBlock, rows = min(queryBlock, queryCount - first)
                    let range = ParallelWork.slice(split, of: splits, count: count)
                    let product = UnsafeMutablePointer<Float>.allocate(capacity: rows * storedBlock)
                    defer { product.deallocate() }
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let columns = min(storedBlock, range.upperBound - start)
                        MatrixProduct.multiplyTransposed(queries + first * dimension, rows: rows,
                                                         stored + start * dimension, rows: columns,
                                                         dimension: dimension, into: product)
                        let norms = storedSquaredNorms.map { $0 + start }
                        if k == 1 {
                            let slot = split * queryCount + first
                            strata_offer_row_best(product, rows, columns, norms, start, scoreBase + slot, indexBase + slot)
                        } else {
                            let slot = (split * queryCount + first) * k
                            strata_offer_top_k(product, rows, columns, norms, start, nil, scoreBase + slot,
                                               indexBase + slot, k)
                        }
                        start += columns
                    }
                }
            }
        }
        return merged(&partial, splits: splits, queryCount: queryCount)
    }

    /// Each query's `splits` heaps (laid out split after split) merged into one top-k sorted best
    /// first; the first split's heaps hold the result, which is returned.
    static func merged(_ partial: inout Result, splits: Int, queryCount: Int) -> Result {
        let k = partial.k
        partial.scores.withUnsafeMutableBufferPointer { partialScores in
            partial.indices.withUnsafeMutableBufferPointer { partialIndices in
                let heapScores = partialScores.baseAddress!, heapIndices = partialIndices.baseAddress!
                ThreadPolicy.parallelFor(count: queryCount, minimumPerThread: max(1, 4096 / k)) { queries in
                    for query in queries {
                        let slot = query * k
                        for split in 1..<max(splits, 1) {
                            let from = (split * queryCount + query) * k
                            for j in 0..<k where heapIndices[from + j] != TopKHeap.emptyIndex {
                                TopKHeap.push(heapScores[from + j], heapIndices[from + j],
                                              scores: heapScores + slot, indices: heapIndices + slot, k: k)
                            }
                        }
                        TopKHeap.sortInPlace(scores: heapScores + slot, indices: heapIndices + slot, k: k)
                    }
                }
            }
        }
        if splits <= 1 { return partial }
        return Result(k: k, scores: Array(partial.scores[0..<(queryCount * k)]),
                      indices: Array(partial.indices[0..<(queryCount * k)]))
    }

    /// The best `k` of `count` stored vectors for one query by a direct scan, sorted best first, in the
    /// layout `search` returns.
    static func scanDirectly(query: UnsafePointer<Float>, stored: UnsafePointer<Float>, count: Int, dimension: Int,
                             storedSquaredNorms: UnsafePointer<Float>?, k: Int) -> Result {
        var scores = [Float](repeating: 0, count: k), indices = [Int](repeating: 0, count: k)
        scores.withUnsafeMutableBufferPointer { s in
            indices.withUnsafeMutableBufferPointer { i in
                TopKHeap.clear(scores: s.baseAddress!, indices: i.baseAddress!, k: k)
                DirectScan.offer(query: query, vectors: stored, count: count, dimension: dimension,
                                 squaredNorms: storedSquaredNorms, firstIndex: 0, scores: s.baseAddress!,
                                 indices: i.baseAddress!, k: k)
                TopKHeap.sortInPlace(scores: s.baseAddress!, indices: i.baseAddress!, k: k)
            }
        }
        return Result(k: k, scores: scores, indices: indices)
    }
}
