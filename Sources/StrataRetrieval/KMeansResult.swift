/// What a k-means run found.
public struct KMeansResult: Sendable, Equatable {
    /// The centres: `(clusterCount, dimension)`.
    public var centres: VectorSet
    /// The cluster of each point, for the final centres: `(count)`.
    public var assignments: [Int]
    /// The number of points in each cluster: `(clusterCount)`.
    public var clusterSizes: [Int]
    /// The sum over points of the squared distance to their centre, for the final centres.
    public var inertia: Double
    /// The number of updates made.
    public var iterations: Int
    /// Whether the run stopped by the tolerance or unchanged assignments (not the iteration limit).
    public var converged: Bool
}
