/// One neighbour found by a search.
public struct SearchHit: Sendable, Equatable {
    /// The stored item.
    public var item: IndexItem
    /// The inner product (similarity, higher is closer) or the squared L2 distance (lower is closer),
    /// as the index's metric says.
    public var score: Float
    /// The inverted list (cluster) the item is stored in; nil for a `FlatIndex`.
    public var cluster: Int?

    /// A hit for `item` with `score`, found in `cluster` (nil for a flat index).
    public init(item: IndexItem, score: Float, cluster: Int? = nil) {
        self.item = item
        self.score = score
        self.cluster = cluster
    }
}
