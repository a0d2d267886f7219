import Foundation

/// Vector geometry of embeddings: L2 normalisation of rows and the pairwise distances of a batch.
extension Tensor {
    /// Each vector along `axis` (default: the last) divided by its Euclidean length:
    /// x / max(‖x‖, ε), as PyTorch's `F.normalize(x, p=2, dim=axis, eps=ε)`.
    ///
    /// Rows shorter than ε (a zero row, say) become x / ε; their gradient is g / ε, as PyTorch's.
    /// Elsewhere the gradient is (g − y·(g·y)) / ‖x‖, with y the normalised row.
    public func l2Normalized(alongAxis axis: Int = -1, epsilon: Float = 1e-12) -> Tensor {
        precondition(epsilon > 0, "l2Normalized: epsilon must be positive, got \(epsilon)")
        let axis = normalizedAxes([axis], op: "l2Normalized")[0]
        if axis != rank - 1 { return movingAxisLast(axis) { $0.l2Normalized(alongAxis: -1, epsilon: epsilon) } }
        let length = shape.last ?? 1
        let rows = length == 0 ? 0 : count / length
        let x = contiguousStorageView()
        let result = Tensor(uninitializedShape: shape)
        var divisors = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            let row = x.pointer + r * length, out = result.pointer + r * length
            var total: Float = 0
            for j in 0..<length { total += row[j] * row[j] }
            let divisor = Swift.max(total.squareRoot(), epsilon)
            divisors[r] = divisor
            let scale = 1 / divisor
            for j in 0..<length { out[j] = row[j] * scale }
        }
        if Tensor.needsGrad(self) {
            let y = result.detached()
            let shape = self.shape
            result.record("l2Normalized", [self], saving: [y]) { grad in
                // dx = (g − y·(g·y)) / ‖x‖ where ‖x‖ > ε; g / ε where the divisor was ε (constant there).
                let g = grad.contiguousStorageView()
                let dx = Tensor(uninitializedShape: shape)
                for r in 0..<rows {
                    let gr = g.pointer + r * length, yr = y.pointer + r * length, out = dx.pointer + r * length
                    let scale = 1 / divisors[r]
                    var projection: Float = 0
                    if divisors[r] > epsilon { for j in 0..<length { projection += gr[j] * yr[j] } }
                    for j in 0..<length { out[j] = (gr[j] - yr[j] * projection) * scale }
                }
                return [dx]
            }
        }
        return result
    }

    /// The Euclidean distances ‖xᵢ − xⱼ‖ (or, with `squared`, their squares) between the rows of a
    /// `(N, D)` batch, as an `(N, N)` matrix with zeros on the diagonal.
    ///
    /// Computed with one matrix product, ‖xᵢ‖² + ‖xⱼ‖² − 2·xᵢ·xⱼ, clamped at 0 against rounding, so
    /// for rows closer than about 1e-3·‖x‖ the distance carries float32 cancellation error
    /// (`ReferenceDistances` is the exact plain-loop twin). The gradient of a Euclidean distance of 0
    /// (the diagonal, duplicate rows) is taken as 0, where the true derivative is undefined.
    public func pairwiseDistances(squared: Bool = false) -> Tensor {
        precondition(rank == 2, "pairwiseDistances: needs a (N, D) batch, got \(shape)")
        let n = shape[0], d = shape[1]
        let x = contiguousStorageView()
        let result = Tensor(uninitializedShape: [n, n])
        Gemm.multiply(GemmOperand(x)!, GemmOperand(x.transposed())!, into: result.pointer, m: n, n: n, k: d)
        var norms = [Float](repeating: 0, count: n)
        for i in 0..<n { norms[i] = result.pointer[i * n + i] }
        for i in 0..<n {
            let row = result.pointer + i * n
            for j in 0..<n {
                let squaredDistance = i == j ? 0 : Swift.max(norms[i] + norms[j] - 2 * row[j], 0)
                row[j] = squared ? squaredDistance : squaredDistance.squareRoot()
            }
        }
        if Tensor.needsGrad(self) {
            let distances = result.detached()
            result.record("pairwiseDistances", [self], saving: [x, distances]) { grad in
                // ∂dᵢⱼ/∂xᵢ = c·(xᵢ − xⱼ) with c = 2 (squared) or 1 / dᵢⱼ; with Wᵢⱼ = (Gᵢⱼ + Gⱼᵢ)·cᵢⱼ,
                // dxᵢ = Σⱼ Wᵢⱼ·(xᵢ − xⱼ) = (Σⱼ Wᵢⱼ)·xᵢ − (W·x)ᵢ.
                let g = grad.contiguousStorageView()
                let weights = Tensor(uninitializedShape: [n, n])
                var rowSums = [Float](repeating: 0, count: n)
                for i in 0..<n {
                    for j in 0..<n {
                        let distance = distances.pointer[i * n + j]
                        let c: Float = i == j ? 0 : squared ? 2 : distance > 0 ? 1 / distance : 0
                        let w = (g.pointer[i * n + j] + g.pointer[j * n + i]) * c
                        weights.pointer[i * n + j] = w
                        rowSums[i] += w
                    }
                }
                let dx = weights.matmul(x)
                for i in 0..<n {
                    let out = dx.pointer + i * d, row = x.pointer + i * d
                    for k in 0..<d { out[k] = rowSums[i] * row[k] - out[k] }
                }
                return [dx]
            }
        }
        return result
    }
}
