/// What an index stores beside each vector: the caller's id, the person (label) and the photo (path).
public struct IndexItem: Sendable, Equatable, Hashable, Codable {
    /// The caller's identifier of the item (for example the photo's number).
    public var id: Int
    /// The person (class) the item belongs to.
    public var label: String
    /// Where the item came from (for example the photo's file path).
    public var path: String

    /// An item with its id, label and path.
    public init(id: Int, label: String, path: String) {
        self.id = id
        self.label = label
        self.path = path
    }
}
