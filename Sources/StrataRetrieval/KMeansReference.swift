/// The plain twin of `KMeans`'s Lloyd iterations that the fast one is tested against: triple loops in
/// Double, one point and one centre at a time, with the same rules (ties to the lower centre, empty
/// clusters split from the largest, the same stopping tests).
enum KMeansReference {
    /// Lloyd iterations from `initial` with the iteration settings of `options`.
    static func lloyd(_ points: VectorSet, from initial: VectorSet, options: KMeansOptions) -> KMeansResult {
        let n = points.count, d = points.dimension, k = initial.count
        let limit = options.tolerance * KMeans.meanVariance(points)
        var centres = initial.values
        if options.spherical { normalise(&centres, dimension: d) }
        var previous: [Int] = []
        var iterations = 0, converged = false
        while iterations < options.maximumIterations {
            let assignments = assign(points, centres: centres, spherical: options.spherical).assignments
            if assignments == previous {
                converged = true
                break
            }
            var sums = [Double](repeating: 0, count: k * d), sizes = [Int](repeating: 0, count: k)
            for i in 0..<n {
                sizes[assignments[i]] += 1
                for j in 0..<d { sums[assignments[i] * d + j] += Double(points.values[i * d + j]) }
            }
            var updated = centres
            for c in 0..<k where sizes[c] > 0 {
                for j in 0..<d { updated[c * d + j] = Float(sums[c * d + j] / Double(sizes[c])) }
            }
            let reseeded = KMeans.splitLargest(into: &updated, sizes: &sizes, dimension: d)
            if options.spherical { normalise(&updated, dimension: d) }
            var shift: Double = 0
            for j in 0..<updated.count { shift += Double(updated[j] - centres[j]) * Double(updated[j] - centres[j]) }
            centres = updated
            iterations += 1
            previous = reseeded ? [] : assignments
            if shift <= limit && !reseeded {
                converged = true
                break
            }
        }
        let (assignments, inertia) = assign(points, centres: centres, spherical: options.spherical)
        var sizes = [Int](repeating: 0, count: k)
        for c in assignments { sizes[c] += 1 }
        return KMeansResult(centres: VectorSet(dimension: d, values: centres), assignments: assignments,
                            clusterSizes: sizes, inertia: inertia, iterations: iterations, converged: converged)
    }

    /// The nearest centre of each point (highest inner product when `spherical`) and the summed squared distances.
    static func assign(_ points: VectorSet, centres: [Float], spherical: Bool) -> (assignments: [Int], inertia: Double) {
        let d = points.dimension, k = centres.count / d
        var assignments: [Int] = [], inertia: Double = 0
        for i in 0..<points.count {
            var best = 0, bestKey = Double.infinity, bestDistance = 0.0
            for c in 0..<k {
                var distance: Double = 0, product: Double = 0
                for j in 0..<d {
                    let x = Double(points.values[i * d + j]), y = Double(centres[c * d + j])
                    distance += (x - y) * (x - y)
                    product += x * y
                }
                let key = spherical ? -product : distance
                if key < bestKey { best = c; bestKey = key; bestDistance = distance }
            }
            assignments.append(best)
            inertia += bestDistance
        }
        return (assignments, inertia)
    }

    /// Rescales each `dimension`-long row of `values` to unit length.
    static func normalise(_ values: inout [Float], dimension d: Int) {
        for row in 0..<(values.count / d) {
            var total: Double = 0
            for j in 0..<d { total += Double(values[row * d + j]) * Double(values[row * d + j]) }
            guard total > 0 else { continue }
            for j in 0..<d { values[row * d + j] = Float(Double(values[row * d + j]) / total.squareRoot()) }
        }
    }
}
