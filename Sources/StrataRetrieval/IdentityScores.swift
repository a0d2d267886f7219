/// For each probe, its best cosine similarity to the enrolled images of its own identity and to those of
/// any other identity, by exhaustive comparison: `(probes, gallery)` inner products of unit vectors.
///
/// The threshold is chosen from these on validation identities: the best similarity to another identity
/// is the score the probe would get were its own identity not enrolled, so every validation probe serves
/// both as a known probe and, with its identity left out, as a stranger.
public struct IdentityScores: Sendable {
    /// The label of each probe's most similar enrolled image.
    public let bestLabels: [Int]
    /// Each probe's best similarity over the whole gallery.
    public let bestSimilarities: [Float]
    /// Each probe's best similarity among enrolled images of other identities.
    public let impostorSimilarities: [Float]
    /// Each probe's true label.
    public let probeLabels: [Int]
    /// For every probe and every enrolled identity other than its own, the best similarity to that
    /// identity's images: the score distribution of one stranger against one enrolled person.
    public let perIdentityImpostorSimilarities: [Float]

    /// Scores of `probes` against `gallery`; both hold unit vectors of one dimension.
    public init(probes: VectorSet, probeLabels: [Int], gallery: VectorSet, galleryLabels: [Int]) {
        precondition(probes.dimension == gallery.dimension,
                     "IdentityScores: probes of dimension \(probes.dimension), gallery of \(gallery.dimension)")
        var bestLabels: [Int] = [], best: [Float] = [], impostor: [Float] = [], perIdentity: [Float] = []
        let dimension = probes.dimension
        probes.values.withUnsafeBufferPointer { p in
            gallery.values.withUnsafeBufferPointer { g in
                for probe in 0..<probes.count {
                    var top = -Float.infinity, topLabel = -1, other = -Float.infinity
                    var bestOfIdentity: [Int: Float] = [:]
                    for item in 0..<gallery.count {
                        var dot: Float = 0
                        for d in 0..<dimension { dot += p[probe * dimension + d] * g[item * dimension + d] }
                        if dot > top { top = dot; topLabel = galleryLabels[item] }
                        if galleryLabels[item] != probeLabels[probe] {
                            other = max(other, dot)
                            bestOfIdentity[galleryLabels[item]] = max(bestOfIdentity[galleryLabels[item]] ?? -.infinity, dot)
                        }
                    }
                    perIdentity += bestOfIdentity.keys.sorted().map { bestOfIdentity[$0]! }
                    bestLabels.append(topLabel)
                    best.append(top)
                    impostor.append(other)
                }
            }
        }
        self.bestLabels = bestLabels
        bestSimilarities = best
        impostorSimilarities = impostor
        self.probeLabels = probeLabels
        perIdentityImpostorSimilarities = perIdentity
    }

    /// The share of probes whose most similar enrolled image has their label.
    public var rank1Accuracy: Double {
        guard !probeLabels.isEmpty else { return 0 }
        return Double(zip(bestLabels, probeLabels).filter { $0 == $1 }.count) / Double(probeLabels.count)
    }
}
