/// An index of either kind, as `IndexFile.load` returns it.
public enum RetrievalIndex: Sendable, Equatable {
    /// An exact index.
    case flat(FlatIndex)
    /// An inverted-file index.
    case ivf(IVFIndex)

    /// The number of values in each vector.
    public var dimension: Int {
        switch self {
        case let .flat(index): return index.dimension
        case let .ivf(index): return index.dimension
        }
    }

    /// The number of stored items.
    public var count: Int {
        switch self {
        case let .flat(index): return index.count
        case let .ivf(index): return index.count
        }
    }
}
