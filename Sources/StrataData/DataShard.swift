/// Which part of every batch a process loads in data-parallel training, as PyTorch's
/// `DistributedSampler` does it: every process draws the same order from `(seed, epoch)`, the batches
/// of that order are global batches of `batchSize × count` images, and process `index` takes its own
/// contiguous part of each. Each image's augmentation is numbered by its place in the global order,
/// so the images of a run, and how they are augmented, are the same whatever the number of processes.
public struct DataShard: Equatable, Sendable {
    /// This process's part, 0-based.
    public let index: Int
    /// The number of parts (processes).
    public let count: Int

    /// Part `index` of `count` (a process's rank and the world size, so a bad pair is a programming error).
    public init(index: Int, of count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "DataShard: part \(index) of \(count) does not exist")
        self.index = index
        self.count = count
    }

    /// The whole of every batch (one process).
    public static let whole = DataShard(index: 0, of: 1)

    /// The positions, in an epoch's order of `total` images, of this part of global batch `number`
    /// with `perPart` images per part: the last, smaller global batch is split as evenly as it goes
    /// (the first parts get one image more).
    public func positions(ofBatch number: Int, perPart: Int, total: Int) -> Range<Int> {
        let start = number * perPart * count
        let size = Swift.max(0, Swift.min(start + perPart * count, total) - start)
        let base = size / count, extra = size % count
        let offset = start + index * base + Swift.min(index, extra)
        return offset..<(offset + base + (index < extra ? 1 : 0))
    }

    /// The number of global batches of `perPart × count` in `total` images: a last, smaller batch counts
    /// unless `dropLast`, or it is too small to give every part an image.
    public func batchCount(perPart: Int, total: Int, dropLast: Bool) -> Int {
        let global = perPart * count
        let full = total / global, rest = total % global
        return full + (!dropLast && rest >= count ? 1 : 0)
    }
}
