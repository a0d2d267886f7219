/// The plain-loop twin of `pairwiseDistances(squared:)`: distances from the differences xᵢ − xⱼ
/// themselves (no matrix product, no cancellation), in Double; what the tests compare it against.
enum ReferenceDistances {
    /// The (N, N) distances (or squared distances) between the rows of a (N, D) batch, row-major.
    static func pairwise(_ x: Tensor, squared: Bool) -> [Double] {
        let n = x.shape[0], d = x.shape[1], values = x.scalars
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var total = 0.0
                for k in 0..<d {
                    let difference = Double(values[i * d + k]) - Double(values[j * d + k])
                    total += difference * difference
                }
                result[i * n + j] = squared ? total : total.squareRoot()
            }
        }
        return result
    }

    /// The gradient with respect to x of Σᵢⱼ Gᵢⱼ·dᵢⱼ for the (N, N) gradient G: Σⱼ (Gᵢⱼ + Gⱼᵢ)·∂dᵢⱼ/∂xᵢ,
    /// where ∂dᵢⱼ/∂xᵢ is 2(xᵢ − xⱼ) for squared distances and (xᵢ − xⱼ) / dᵢⱼ (0 where dᵢⱼ = 0) otherwise.
    static func pairwiseBackward(_ x: Tensor, gradOutput: Tensor, squared: Bool) -> [Double] {
        let n = x.shape[0], d = x.shape[1], values = x.scalars, g = gradOutput.scalars
        let distances = pairwise(x, squared: false)
        var result = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            for j in 0..<n where i != j {
                let distance = distances[i * n + j]
                let c = squared ? 2 : distance > 0 ? 1 / distance : 0
                let w = (Double(g[i * n + j]) + Double(g[j * n + i])) * c
                for k in 0..<d {
                    result[i * d + k] += w * (Double(values[i * d + k]) - Double(values[j * d + k]))
                }
            }
        }
        return result
    }
}
