import CDNNL
import StrataCore

/// The dense products retrieval is made of: `C = A · Bᵀ` for row-major `A (m, k)` and `B (n, k)`
/// (queries or points against centres or stored vectors), and squared row norms.
///
/// StrataCore's `Gemm` works on tensors and is internal, so this calls oneDNN's `dnnl_sgemm` on
/// raw pointers directly. Inside `ParallelWork` each worker's product runs on that worker alone
/// (its OpenMP thread count is 1 there), so many small products run side by side; a product below
/// `ThreadPolicy.parallelMultiplyAdds` multiply-adds runs on the calling thread alone anywhere.
enum MatrixProduct {
    /// `c (m, n) = a (m, k) · b (n, k)ᵀ`, overwriting `c`; all three dense and row-major.
    static func multiplyTransposed(_ a: UnsafePointer<Float>, rows m: Int, _ b: UnsafePointer<Float>, rows n: Int,
                                   dimension k: Int, into c: UnsafeMutablePointer<Float>) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            c.update(repeating: 0, count: m * n)
            return
        }
        _ = ThreadPolicy.threadCount  // makes sure oneDNN was told the thread count
        // A small product (a single query against the centres, say) on this thread alone: waking a
        // second OpenMP thread costs more than it saves (StrataCore's rule for its own products).
        let threads = omp_get_max_threads()
        let alone = threads > 1 && m * n * k < ThreadPolicy.parallelMultiplyAdds
        if alone { omp_set_num_threads(1) }
        defer { if alone { omp_set_num_threads(threads) } }
        let status = dnnl_sgemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "T")), Int64(m), Int64(n), Int64(k),
                                1, a, Int64(k), b, Int64(k), 0, c, Int64(n))
        precondition(status == dnnl_success,
                     "MatrixProduct.multiplyTransposed: dnnl_sgemm failed (\(status.rawValue)) for (\(m), \(k))·(\(n), \(k))ᵀ")
    }

    /// The plain triple loop that `multiplyTransposed` is tested against.
    static func referenceMultiplyTransposed(_ a: [Float], rows m: Int, _ b: [Float], rows n: Int,
                                            dimension k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var total: Double = 0
                for p in 0..<k { total += Double(a[i * k + p]) * Double(b[j * k + p]) }
                c[i * n + j] = Float(total)
            }
        }
        return c
    }

    /// The squared length of each of the `count` rows of `values`: `(count)` from `(count, dimension)`.
    static func squaredNorms(_ values: UnsafePointer<Float>, count: Int, dimension: Int) -> [Float] {
        var norms = [Float](repeating: 0, count: count)
        norms.withUnsafeMutableBufferPointer { out in
            ThreadPolicy.parallelFor(count: count, minimumPerThread: max(1, (1 << 16) / max(dimension, 1))) { rows in
                for row in rows {
                    let x = values + row * dimension
                    var total: Float = 0
                    for j in 0..<dimension { total += x[j] * x[j] }
                    out[row] = total
                }
            }
        }
        return norms
    }

    /// The squared length of each vector of `set`.
    static func squaredNorms(_ set: VectorSet) -> [Float] {
        set.values.withUnsafeBufferPointer { squaredNorms($0.baseAddress!, count: set.count, dimension: set.dimension) }
    }
}
