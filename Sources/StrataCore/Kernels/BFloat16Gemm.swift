import CDNNL

/// Matrix products with bfloat16 operands and Float32 accumulation and result, on oneDNN's matmul
/// primitive (its brgemm bf16 kernels where the CPU has them): `C (M, N) = op(A) (M, K) · op(B) (K, N)`.
///
/// The Float32 operands are rounded to dense bfloat16 copies (`BFloat16Conversion`, pooled scratch)
/// that keep their orientation: a transposed operand is described to oneDNN by its strides, not
/// copied into place. One primitive per shape and orientation, cached.
enum BFloat16Gemm {
    private struct Key: Hashable {
        let m: Int, n: Int, k: Int
        let transposedA: Bool, transposedB: Bool
    }

    private static let cache = DNNLPrimitiveCache<Key, DNNLPrimitive>()

    /// C = op(A) · op(B) with bfloat16 operands, where op(A) is (M, K), op(B) is (K, N) and C is a dense
    /// (M, N) Float32 matrix that is overwritten. M, N and K must be positive.
    static func multiply(_ a: GemmOperand, _ b: GemmOperand, into c: UnsafeMutablePointer<Float>,
                         m: Int, n: Int, k: Int) {
        precondition(m > 0 && n > 0 && k > 0, "BFloat16Gemm: empty product \(m)×\(k)·\(k)×\(n)")
        let left = converted(a, rows: m, columns: k), right = converted(b, rows: k, columns: n)
        let key = Key(m: m, n: n, k: k, transposedA: a.transposed, transposedB: b.transposed)
        let primitive = cache.primitive(for: key) { make(key) }
        ThreadPolicy.forOneDNN(multiplyAdds: m * n * k) {
            primitive.execute([(DNNL_ARG_SRC, UnsafeMutableRawPointer(left.pointer)),
                               (DNNL_ARG_WEIGHTS, UnsafeMutableRawPointer(right.pointer)),
                               (DNNL_ARG_DST, UnsafeMutableRawPointer(c))])
        }
        withExtendedLifetime((left, right, a.owner, b.owner)) {}
    }

    /// The operand op(X) (rows, columns) as a dense bfloat16 copy of its stored matrix: (rows, columns)
    /// row-major, or (columns, rows) row-major when it is read transposed.
    private static func converted(_ operand: GemmOperand, rows: Int, columns: Int) -> TensorStorage {
        let storedRows = operand.transposed ? columns : rows, storedColumns = operand.transposed ? rows : columns
        let scratch = TensorStorage(uninitializedCount: (storedRows * storedColumns + 1) / 2)
        let bits = UnsafeMutableRawPointer(scratch.pointer).bindMemory(to: UInt16.self, capacity: storedRows * storedColumns)
        BFloat16Conversion.convertMatrix(operand.pointer, rows: storedRows, columns: storedColumns,
                                         leadingDimension: operand.leadingDimension, to: bits)
        return scratch
    }

    /// The matmul primitive for `key`: bfloat16 source (M, K) and weights (K, N), each with the strides
    /// of its dense copy, and a dense Float32 (M, N) destination.
    private static func make(_ key: Key) -> DNNLPrimitive {
        let name = "bf16 matmul \(key.m)×\(key.k)\(key.transposedA ? "ᵀ" : "")·\(key.k)×\(key.n)\(key.transposedB ? "ᵀ" : "")"
        var source = descriptor(rows: key.m, columns: key.k, transposed: key.transposedA, dnnl_bf16, name)
        var weights = descriptor(rows: key.k, columns: key.n, transposed: key.transposedB, dnnl_bf16, name)
        var destination = descriptor(rows: key.m, columns: key.n, transposed: false, dnnl_f32, name)
        var operation = dnnl_matmul_desc_t()
        DNNLEngine.check(dnnl_matmul_desc_init(&operation, &source, &weights, nil, &destination), name, "descriptor")
        return DNNLPrimitive(name, operation: operation)
    }

    /// A (rows, columns) memory descriptor of a dense matrix stored row-major, or column-major (its
    /// transpose stored row-major) when `transposed`.
    private static func descriptor(rows: Int, columns: Int, transposed: Bool, _ dataType: dnnl_data_type_t,
                                   _ name: String) -> dnnl_memory_desc_t {
        var descriptor = dnnl_memory_desc_t()
        let dims: [Int64] = [Int64(rows), Int64(columns)]
        let strides: [Int64] = transposed ? [1, Int64(rows)] : [Int64(columns), 1]
        DNNLEngine.check(dnnl_memory_desc_init_by_strides(&descriptor, 2, dims, dataType, strides), name, "memory descriptor")
        return descriptor
    }

    /// oneDNN's name for the kernel it runs for a product of this shape and orientation (for tests and
    /// benchmarks; e.g. "brg:avx512_core_bf16").
    static func implementation(m: Int, n: Int, k: Int, transposedA: Bool = false, transposedB: Bool = false) -> String {
        let key = Key(m: m, n: n, k: k, transposedA: transposedA, transposedB: transposedB)
        return cache.primitive(for: key) { make(key) }.implementation
    }
}
