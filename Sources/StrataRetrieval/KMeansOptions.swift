/// The settings of a k-means run (`KMeans`).
///
/// ```swift
/// var options = KMeansOptions(clusterCount: 256)
/// options.restarts = 3
/// let result = try KMeans(options: options).fit(points)
/// ```
public struct KMeansOptions: Sendable, Equatable {
    /// The number of clusters `k`.
    public var clusterCount: Int
    /// The most Lloyd iterations (an assignment and an update each) a run makes.
    public var maximumIterations: Int
    /// A run stops when the summed squared movement of the centres in an update is at most
    /// `tolerance` times the mean per-coordinate variance of the points (scikit-learn's rule); 0 runs
    /// until assignments stop changing or `maximumIterations`.
    public var tolerance: Double
    /// The number of k-means++ seedings tried, each run to the end; the lowest inertia wins.
    public var restarts: Int
    /// Spherical k-means: centres are rescaled to unit length after every update (and at the start),
    /// so points go to the centre of highest cosine similarity.
    public var spherical: Bool
    /// The seed of the k-means++ seeding (restart `r` uses the `r`-th generator split from it).
    public var seed: UInt64
    /// Start from these centres `(clusterCount, dimension)` instead of seeding (one run, no restarts),
    /// to compare with another library from the same start.
    public var initialCentres: VectorSet?

    /// Options for `clusterCount` clusters, with the defaults of scikit-learn where they apply.
    public init(clusterCount: Int, maximumIterations: Int = 100, tolerance: Double = 1e-4, restarts: Int = 1,
                spherical: Bool = false, seed: UInt64 = 0, initialCentres: VectorSet? = nil) {
        self.clusterCount = clusterCount
        self.maximumIterations = maximumIterations
        self.tolerance = tolerance
        self.restarts = restarts
        self.spherical = spherical
        self.seed = seed
        self.initialCentres = initialCentres
    }
}
