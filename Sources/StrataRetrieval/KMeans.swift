import StrataCore

/// k-means clustering: k-means++ seeding, restarts keeping the lowest inertia, and Lloyd iterations
/// whose assignment step is one blocked matrix product per block of points (`‖x‖² − 2x·c + ‖c‖²`).
///
/// ```swift
/// let result = try KMeans(options: KMeansOptions(clusterCount: 40, spherical: true, seed: 7)).fit(embeddings)
/// print(result.inertia, result.centres.count)
/// ```
///
/// Ties go to the lower-numbered centre. An update that leaves a cluster empty re-seeds it by splitting
/// the largest cluster (FAISS's rule, made deterministic): the empty cluster takes a copy of that
/// centre, and the two are pushed apart by a relative `1/1024` in opposite directions, coordinate by
/// coordinate. Points are processed in parallel blocks, so memory stays bounded at a million points.
public struct KMeans: Sendable {
    /// The relative nudge that separates the two halves of a split cluster.
    static let splitNudge: Float = 1.0 / 1024

    /// The settings of the run.
    public var options: KMeansOptions

    /// A k-means run with `options`.
    public init(options: KMeansOptions) {
        self.options = options
    }

    /// Clusters `points (count, dimension)`; throws when the options do not fit the points.
    public func fit(_ points: VectorSet) throws -> KMeansResult {
        try validate(points)
        if var centres = options.initialCentres {
            if options.spherical { Self.normalise(&centres) }
            return lloyd(points, from: centres)
        }
        var generator = RandomGenerator(seed: options.seed)
        var best: KMeansResult?
        for _ in 0..<options.restarts {
            var runGenerator = generator.split()
            var centres = Self.seedPlusPlus(points, count: options.clusterCount, generator: &runGenerator)
            if options.spherical { Self.normalise(&centres) }
            let result = lloyd(points, from: centres)
            if best == nil || result.inertia < best!.inertia { best = result }
        }
        return best!
    }

    /// The nearest centre of each point and its squared distance (with `byInnerProduct`, the centre
    /// of highest inner product instead, and still the squared distance to it).
    public static func assign(_ points: VectorSet, to centres: VectorSet,
                              byInnerProduct: Bool = false) -> (assignments: [Int], squaredDistances: [Float]) {
        precondition(points.dimension == centres.dimension,
                     "KMeans.assign: points of dimension \(points.dimension), centres of \(centres.dimension)")
        let centreNorms = MatrixProduct.squaredNorms(centres)
        let pointNorms = MatrixProduct.squaredNorms(points)
        let found = nearestCentres(points, centres, centreNorms: centreNorms, byInnerProduct: byInnerProduct)
        var distances = [Float](repeating: 0, count: points.count)
        for i in 0..<points.count {
            let score = found.scores[i], centre = found.indices[i]
            // Inner-product score q·c: the squared distance is ‖x‖² − 2x·c + ‖c‖².
            let distance = byInnerProduct ? pointNorms[i] - 2 * score + centreNorms[centre] : pointNorms[i] - score
            distances[i] = max(0, distance)
        }
        return (found.indices, distances)
    }

    /// The nearest centre of each point by ranking score (see `ExhaustiveSearch`).
    static func nearestCentres(_ points: VectorSet, _ centres: VectorSet, centreNorms: [Float],
                               byInnerProduct: Bool) -> ExhaustiveSearch.Result {
        points.values.withUnsafeBufferPointer { x in
            centres.values.withUnsafeBufferPointer { c in
                centreNorms.withUnsafeBufferPointer { norms in
                    ExhaustiveSearch.search(queries: x.baseAddress!, queryCount: points.count, stored: c.baseAddress!,
                                            count: centres.count, dimension: points.dimension,
                                            storedSquaredNorms: byInnerProduct ? nil : norms.baseAddress!, k: 1)
                }
            }
        }
    }

    /// Lloyd iterations from `initial` centres to convergence or the iteration limit.
    func lloyd(_ points: VectorSet, from initial: VectorSet) -> KMeansResult {
        let limit = options.tolerance * Self.meanVariance(points)
        var centres = initial
        var previous: [Int] = []
        var iterations = 0, converged = false
        while iterations < options.maximumIterations {
            let assignments = Self.nearestCentres(points, centres, centreNorms: MatrixProduct.squaredNorms(centres),
                                                  byInnerProduct: options.spherical).indices
            if assignments == previous {
                converged = true
                break
            }
            var (updated, reseeded) = Self.update(points, assignments: assignments, centres: centres)
            if options.spherical { Self.normalise(&updated) }
            var shift: Double = 0
            for j in 0..<updated.values.count {
                let step = Double(updated.values[j] - centres.values[j])
                shift += step * step
            }
            centres = updated
            iterations += 1
            previous = reseeded ? [] : assignments
            if shift <= limit && !reseeded {
                converged = true
                break
            }
        }
        let (assignments, distances) = Self.assign(points, to: centres, byInnerProduct: options.spherical)
        var sizes = [Int](repeating: 0, count: centres.count)
        for cluster in assignments { sizes[cluster] += 1 }
        let inertia = distances.reduce(0) { $0 + Double($1) }
        return KMeansResult(centres: centres, assignments: assignments, clusterSizes: sizes, inertia: inertia,
                            iterations: iterations, converged: converged)
    }

    /// The mean of each cluster's points, empty clusters re-seeded by splitting the largest; also
    /// whether any was re-seeded.
    static func update(_ points: VectorSet, assignments: [Int], centres: VectorSet) -> (VectorSet, Bool) {
        let k = centres.count, d = points.dimension, n = points.count
        let parts = ParallelWork.partCount(work: n * d, minimumPerPart: 1 << 18)
        var sums = [Double](repeating: 0, count: parts * k * d)
        var counts = [Int](repeating: 0, count: parts * k)
        points.values.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { sumTable in
                counts.withUnsafeMutableBufferPointer { countTable in
                    let sumBase = sumTable.baseAddress!, countBase = countTable.baseAddress!
                    ParallelWork.run(parts: parts) { part in
                        let sum = sumBase + part * k * d, count = countBase + part * k
                        for i in ParallelWork.slice(part, of: parts, count: n) {
                            let cluster = assignments[i], row = x.baseAddress! + i * d, target = sum + cluster * d
                            count[cluster] += 1
                            for j in 0..<d { target[j] += Double(row[j]) }
                        }
                    }
                }
            }
        }
        var values = centres.values, sizes = [Int](repeating: 0, count: k)
        for cluster in 0..<k {
            var size = 0
            for part in 0..<parts { size += counts[part * k + cluster] }
            sizes[cluster] = size
            guard size > 0 else { continue }
            for j in 0..<d {
                var total: Double = 0
                for part in 0..<parts { total += sums[(part * k + cluster) * d + j] }
                values[cluster * d + j] = Float(total / Double(size))
            }
        }
        let reseeded = splitLargest(into: &values, sizes: &sizes, dimension: d)
        return (VectorSet(dimension: d, values: values), reseeded)
    }

    /// Gives every empty cluster half of the currently largest one (see the type's notes); returns
    /// whether there was any empty cluster.
    static func splitLargest(into values: inout [Float], sizes: inout [Int], dimension d: Int) -> Bool {
        var any = false
        for empty in 0..<sizes.count where sizes[empty] == 0 {
            any = true
            var largest = 0
            for cluster in 1..<sizes.count where sizes[cluster] > sizes[largest] { largest = cluster }
            for j in 0..<d {
                let value = values[largest * d + j]
                let up = value * (1 + splitNudge), down = value * (1 - splitNudge)
                values[empty * d + j] = j % 2 == 0 ? up : down
                values[largest * d + j] = j % 2 == 0 ? down : up
            }
            sizes[empty] = sizes[largest] / 2
            sizes[largest] -= sizes[empty]
        }
        return any
    }

    /// k-means++ seeding: the first centre uniformly, each next one with probability proportional to
    /// the squared distance to the nearest centre chosen so far.
    static func seedPlusPlus(_ points: VectorSet, count k: Int, generator: inout RandomGenerator) -> VectorSet {
        let n = points.count, d = points.dimension
        var chosen = [generator.nextInt(below: n)]
        var nearest = [Double](repeating: .infinity, count: n)
        points.values.withUnsafeBufferPointer { x in
            nearest.withUnsafeMutableBufferPointer { best in
                while true {
                    let centre = x.baseAddress! + chosen[chosen.count - 1] * d
                    ThreadPolicy.parallelFor(count: n, minimumPerThread: max(1, (1 << 16) / d)) { rows in
                        for i in rows {
                            let row = x.baseAddress! + i * d
                            var total: Float = 0
                            for j in 0..<d {
                                let step = row[j] - centre[j]
                                total += step * step
                            }
                            best[i] = min(best[i], Double(total))
                        }
                    }
                    if chosen.count == k { break }
                    var total: Double = 0
                    for i in 0..<n { total += best[i] }
                    // All points coincide with centres already: take the next unused point in order.
                    guard total > 0 else {
                        chosen.append((0..<n).first { !chosen.contains($0) } ?? 0)
                        continue
                    }
                    var target = Double(generator.nextUniform()) * total, pick = n - 1
                    for i in 0..<n {
                        target -= best[i]
                        if target < 0 && best[i] > 0 { pick = i; break }
                    }
                    chosen.append(pick)
                }
            }
        }
        var values: [Float] = []
        values.reserveCapacity(k * d)
        for index in chosen { values += points.vector(at: index) }
        return VectorSet(dimension: d, values: values)
    }

    /// Rescales every vector of `set` to unit length (zero vectors stay zero).
    static func normalise(_ set: inout VectorSet) {
        var values = set.values
        let d = set.dimension
        for row in 0..<set.count {
            var total: Float = 0
            for j in 0..<d { total += values[row * d + j] * values[row * d + j] }
            guard total > 0 else { continue }
            let scale = 1 / total.squareRoot()
            for j in 0..<d { values[row * d + j] *= scale }
        }
        set = VectorSet(dimension: d, values: values)
    }

    /// The mean over coordinates of the variance of the points along it.
    static func meanVariance(_ points: VectorSet) -> Double {
        let n = points.count, d = points.dimension
        guard n > 0 else { return 0 }
        var mean = [Double](repeating: 0, count: d), square = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d {
                let value = Double(points.values[i * d + j])
                mean[j] += value
                square[j] += value * value
            }
        }
        var total: Double = 0
        for j in 0..<d { total += max(0, square[j] / Double(n) - (mean[j] / Double(n)) * (mean[j] / Double(n))) }
        return total / Double(d)
    }

    /// Throws when the options cannot be used with `points`.
    func validate(_ points: VectorSet) throws {
        let k = options.clusterCount
        guard k >= 1 else { throw IndexError.invalidParameter(name: "clusterCount", reason: "is \(k); it must be at least 1") }
        guard points.count >= k else {
            throw IndexError.invalidParameter(name: "clusterCount",
                                              reason: "is \(k) but there are only \(points.count) points to cluster")
        }
        guard options.restarts >= 1 else {
            throw IndexError.invalidParameter(name: "restarts", reason: "is \(options.restarts); it must be at least 1")
        }
        guard options.maximumIterations >= 0 else {
            throw IndexError.invalidParameter(name: "maximumIterations", reason: "is negative (\(options.maximumIterations))")
        }
        if let initial = options.initialCentres {
            guard initial.dimension == points.dimension else {
                throw IndexError.dimensionMismatch(context: "KMeansOptions.initialCentres", expected: points.dimension,
                                                   found: initial.dimension)
            }
            guard initial.count == k else {
                throw IndexError.invalidParameter(name: "initialCentres",
                                                  reason: "holds \(initial.count) centres but clusterCount is \(k)")
            }
        }
    }
}
