import CBLAS
import CDNNL
import Foundation

/// The library that computes matrix products.
///
/// oneDNN's JIT sgemm is the default: `strata-microbench` measures it at about twice OpenBLAS's
/// speed on this project's shapes (OpenBLAS 0.3.21 runs its Haswell kernels on AVX-512 machines),
/// and it shares oneDNN's OpenMP threads with the convolutions. `STRATA_GEMM=openblas` selects
/// OpenBLAS's `cblas_sgemm`.
public enum GemmLibrary: String, CaseIterable, Sendable {
    /// oneDNN's `dnnl_sgemm`.
    case oneDNN = "onednn"
    /// OpenBLAS's `cblas_sgemm`.
    case openBLAS = "openblas"

    /// The library in use (from `STRATA_GEMM`, default oneDNN); settable for tests and benchmarks.
    public nonisolated(unsafe) static var current: GemmLibrary =
        ProcessInfo.processInfo.environment["STRATA_GEMM"].flatMap { GemmLibrary(rawValue: $0.lowercased()) } ?? .oneDNN
}

/// A matrix operand for `cblas_sgemm`: a pointer, whether it is read transposed, and its leading dimension.
struct GemmOperand {
    /// The tensor whose storage `pointer` points into, kept alive for the duration of the product.
    let owner: Tensor
    let pointer: UnsafeMutablePointer<Float>
    let transposed: Bool
    let leadingDimension: Int

    /// The operand that reads the last two dimensions of `tensor` at `offset` without a copy, or nil
    /// when the layout is neither row-major nor column-major.
    init?(_ tensor: Tensor, extraOffset: Int = 0) {
        let r = tensor.rank
        let rows = tensor.shape[r - 2], columns = tensor.shape[r - 1]
        let rowStride = tensor.strides[r - 2], columnStride = tensor.strides[r - 1]
        owner = tensor
        pointer = tensor.pointer + extraOffset
        if (columnStride == 1 || columns == 1) && rowStride >= Swift.max(columns, 1) {
            transposed = false
            leadingDimension = rowStride
        } else if (rowStride == 1 || rows == 1) && columnStride >= Swift.max(rows, 1) {
            transposed = true
            leadingDimension = columnStride
        } else {
            return nil
        }
    }
}

/// Single-precision matrix products through oneDNN or OpenBLAS (`GemmLibrary`), or with bfloat16
/// operands through `BFloat16Gemm`.
enum Gemm {
    /// C = op(A) · op(B), where op(A) is (M, K), op(B) is (K, N) and C is a dense (M, N) that is overwritten;
    /// with `.bfloat16` the operands are rounded to bfloat16 and the products accumulated in Float32.
    @inline(__always)
    static func multiply(_ a: GemmOperand, _ b: GemmOperand, into c: UnsafeMutablePointer<Float>,
                         m: Int, n: Int, k: Int, precision: Precision = .float32) {
        ThreadPolicy.ensureConfigured()
        if m == 0 || n == 0 { return }
        if k == 0 {
            c.update(repeating: 0, count: m * n)
            return
        }
        if precision == .bfloat16 {
            BFloat16Gemm.multiply(a, b, into: c, m: m, n: n, k: k)
            return
        }
        switch GemmLibrary.current {
        case .oneDNN:
            // Waking the other OpenMP threads costs more than they save on a small product.
            let transA = CChar(UInt8(ascii: a.transposed ? "T" : "N")), transB = CChar(UInt8(ascii: b.transposed ? "T" : "N"))
            let status = ThreadPolicy.forOneDNN(multiplyAdds: m * n * k) {
                dnnl_sgemm(transA, transB, Int64(m), Int64(n), Int64(k), 1, a.pointer, Int64(a.leadingDimension),
                           b.pointer, Int64(b.leadingDimension), 0, c, Int64(n))
            }
            precondition(status == dnnl_success, "dnnl_sgemm failed with status \(status.rawValue) for \(m)×\(k)·\(k)×\(n)")
        case .openBLAS:
            cblas_sgemm(CblasRowMajor,
                        a.transposed ? CblasTrans : CblasNoTrans,
                        b.transposed ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), 1,
                        a.pointer, Int32(a.leadingDimension),
                        b.pointer, Int32(b.leadingDimension),
                        0, c, Int32(n))
        }
        withExtendedLifetime((a.owner, b.owner)) {}
    }

    /// The plain triple loop that `multiply` is tested against: C = op(A)·op(B) for dense tensors.
    static func reference(_ a: Tensor, _ b: Tensor) -> Tensor {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        precondition(b.shape[0] == k, "Gemm.reference: shapes \(a.shape) and \(b.shape)")
        let result = Tensor.zeros([m, n])
        for i in 0..<m {
            for j in 0..<n {
                var total: Double = 0
                for p in 0..<k { total += Double(a[i, p]) * Double(b[p, j]) }
                result[i, j] = Float(total)
            }
        }
        return result
    }
}
