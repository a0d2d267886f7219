extension Tensor {
    /// Adds `other` into this tensor's elements in place (same shape; not recorded).
    func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "addInPlace: shapes \(shape) and \(other.shape) differ")
        let source = other.contiguousStorageView()
        let n = count
        let a = pointer, b = source.pointer
        for i in 0..<n { a[i] += b[i] }
    }

    /// Elementwise sum.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let a = lhs.contiguousStorageView(), b = rhs.contiguousStorageView()
        let result = Tensor(uninitializedShape: lhs.shape)
        for i in 0..<lhs.count { result.pointer[i] = a.pointer[i] + b.pointer[i] }
        return result
    }
}
