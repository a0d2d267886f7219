/// The answer of `OpenSetMatcher` for one query: a person, or "unknown".
public struct Match: Sendable, Equatable {
    /// The person recognised, or nil for "unknown" (the similarity is at or below the threshold).
    public var label: String?
    /// The label the method ranks first whatever the threshold (nil only when there is nothing to
    /// match): what `label` would be with no threshold, for rank-1 accuracy.
    public var bestLabel: String?
    /// The similarity the threshold is applied to: the cosine with the nearest item, or for the
    /// centre method the inner product with the nearest centre (`-infinity` when nothing was found).
    public var similarity: Float
    /// The nearest stored item (for the centre method, the member of the best cluster nearest to
    /// the query); nil when there is none.
    public var item: IndexItem?
    /// The cluster (inverted list) of the answer: the nearest item's, or the nearest centre's.
    public var cluster: Int?
    /// The items (photos) of that cluster.
    public var clusterMembers: [IndexItem]
    /// The nearest items among the probed clusters with their cosine similarities, best first.
    public var neighbours: [SearchHit]

    /// Whether the answer is "unknown".
    public var isUnknown: Bool { label == nil }

    /// A match with every part given.
    public init(label: String?, bestLabel: String?, similarity: Float, item: IndexItem?, cluster: Int?,
                clusterMembers: [IndexItem], neighbours: [SearchHit]) {
        self.label = label
        self.bestLabel = bestLabel
        self.similarity = similarity
        self.item = item
        self.cluster = cluster
        self.clusterMembers = clusterMembers
        self.neighbours = neighbours
    }
}
