import StrataCore

/// Averages parameter gradients across ranks in buckets that are reduced while backward still runs, as
/// PyTorch's DistributedDataParallel does.
///
/// The gradients, given in parameter order, are grouped into buckets of about `bucketBytes` in REVERSE
/// order — backward produces the last parameters' gradients first — so bucket 0 holds the last
/// parameters. A gradient larger than a bucket gets one of its own; a model that fits in one bucket gets
/// one flat allreduce. Each step, call `markReady(_:gradient:)` for every gradient as backward finishes
/// it: the gradient is copied into its bucket, and a bucket whose gradients are all in starts a
/// non-blocking allreduce — but only after every lower-numbered bucket has started, so that every rank
/// starts the same reductions in the same order whatever order its gradients arrive in. Each call also
/// drives the reductions in flight forward (Open MPI has no progress thread). `finish()` waits for all
/// and writes the mean over ranks back into the gradients; the next step starts afresh.
///
/// ```swift
/// let buckets = GradientBuckets(counts: parameters.map(\.count), communicator: world)
/// // during backward, as each parameter's gradient is final:
/// try buckets.markReady(index, gradient: parameter.grad!)
/// // after backward:
/// try buckets.finish()              // every gradient now holds the mean over ranks
/// ```
///
/// With the `local` communicator nothing is copied and the gradients are left exactly as they are.
/// Use one instance from one thread at a time (the thread that runs backward).
public final class GradientBuckets {
    /// The default bucket size, 25 MiB (PyTorch's).
    public static let defaultBucketBytes = 25 * 1024 * 1024

    /// The ranks the gradients are averaged over.
    public let communicator: Communicator
    /// The number of elements of each gradient, in parameter order.
    public let counts: [Int]
    /// The indices (into `counts`) of the gradients in each bucket, in the order buckets are reduced.
    public let buckets: [[Int]]

    /// Where each gradient lives in its bucket: the bucket's index and the offset in its staging buffer.
    private let placement: [(bucket: Int, offset: Int)]
    /// Each bucket's staging buffer (its gradients end to end) and its reduction in flight.
    private let staging: [UnsafeMutableBufferPointer<Float>]
    private var pending: [PendingAllreduce?]
    /// The gradient buffers marked this step, by index (nil: not yet marked).
    private var gradients: [UnsafeMutableBufferPointer<Float>?]
    /// How many gradients of each bucket are still to be marked this step.
    private var missing: [Int]
    /// The next bucket to start, and the first one whose reduction may still be running.
    private var nextToStart = 0, firstRunning = 0

    /// Buckets for gradients of `counts` elements (in parameter order) averaged over `communicator`,
    /// each bucket about `bucketBytes` bytes.
    public init(counts: [Int], communicator: Communicator, bucketBytes: Int = GradientBuckets.defaultBucketBytes) {
        precondition(bucketBytes > 0, "GradientBuckets: bucketBytes must be positive, got \(bucketBytes)")
        precondition(counts.allSatisfy { $0 >= 0 }, "GradientBuckets: negative count in \(counts)")
        self.communicator = communicator
        self.counts = counts
        buckets = GradientBuckets.layout(counts: counts, bucketBytes: bucketBytes)
        var placement = [(bucket: Int, offset: Int)](repeating: (0, 0), count: counts.count)
        var staging: [UnsafeMutableBufferPointer<Float>] = []
        for (bucket, members) in buckets.enumerated() {
            var offset = 0
            for index in members {
                placement[index] = (bucket, offset)
                offset += counts[index]
            }
            staging.append(.allocate(capacity: communicator.usesMPI ? offset : 0))
        }
        self.placement = placement
        self.staging = staging
        pending = Array(repeating: nil, count: buckets.count)
        gradients = Array(repeating: nil, count: counts.count)
        missing = buckets.map(\.count)
    }

    /// Buckets for the gradients of `parameters` (in parameter order); see `init(counts:communicator:bucketBytes:)`.
    public convenience init(parameters: [Tensor], communicator: Communicator,
                            bucketBytes: Int = GradientBuckets.defaultBucketBytes) {
        self.init(counts: parameters.map(\.count), communicator: communicator, bucketBytes: bucketBytes)
    }

    deinit {
        pending = []
        for buffer in staging { buffer.deallocate() }
    }

    /// The buckets for gradients of `counts` elements: indices taken from the last to the first, a new
    /// bucket started when the next gradient would take the current one past `bucketBytes`.
    public static func layout(counts: [Int], bucketBytes: Int) -> [[Int]] {
        var buckets: [[Int]] = [], current: [Int] = [], bytes = 0
        for index in counts.indices.reversed() {
            let size = counts[index] * MemoryLayout<Float>.stride
            if !current.isEmpty && bytes + size > bucketBytes {
                buckets.append(current)
                current = []
                bytes = 0
            }
            current.append(index)
            bytes += size
        }
        if !current.isEmpty { buckets.append(current) }
        return buckets
    }

    /// Records that gradient `index` is final for this step (its `counts[index]` elements in `gradient`,
    /// which must stay allocated until `finish()`), starts the buckets that are now full and in turn, and
    /// drives the reductions in flight.
    public func markReady(_ index: Int, gradient: UnsafeMutableBufferPointer<Float>) throws {
        precondition(counts.indices.contains(index), "GradientBuckets.markReady: no gradient \(index) of \(counts.count)")
        precondition(gradient.count == counts[index],
                     "GradientBuckets.markReady: gradient \(index) has \(gradient.count) elements, expected \(counts[index])")
        precondition(gradients[index] == nil, "GradientBuckets.markReady: gradient \(index) marked twice in one step")
        gradients[index] = gradient
        guard communicator.usesMPI else { return }
        let (bucket, offset) = placement[index]
        if let source = gradient.baseAddress, gradient.count > 0 {
            (staging[bucket].baseAddress! + offset).update(from: source, count: gradient.count)
        }
        missing[bucket] -= 1
        while nextToStart < buckets.count && missing[nextToStart] == 0 {
            pending[nextToStart] = try communicator.startAllreduce(staging[nextToStart], .sum)
            nextToStart += 1
        }
        try progress()
    }

    /// Records that the gradient of a parameter is final (a contiguous tensor of `counts[index]` elements).
    public func markReady(_ index: Int, gradient: Tensor) throws {
        precondition(gradient.isContiguous, "GradientBuckets.markReady: gradient \(index) of shape \(gradient.shape) is not contiguous")
        try markReady(index, gradient: UnsafeMutableBufferPointer(start: gradient.pointer, count: gradient.count))
    }

    /// Moves the reductions in flight forward without blocking (MPI_Test); call it between pieces of
    /// backward that take long, so the network keeps busy.
    public func progress() throws {
        while firstRunning < nextToStart, try pending[firstRunning]?.test() ?? true {
            firstRunning += 1
        }
    }

    /// Waits for every bucket's reduction and writes the mean over ranks into each gradient marked this
    /// step; every gradient must have been marked. Resets for the next step.
    public func finish() throws {
        let unmarked = gradients.indices.filter { gradients[$0] == nil }
        precondition(unmarked.isEmpty, "GradientBuckets.finish: gradients \(unmarked) were not marked ready")
        defer { reset() }
        guard communicator.usesMPI else { return }
        precondition(nextToStart == buckets.count, "GradientBuckets.finish: a full bucket was not started")
        let ranks = Float(communicator.size)
        for (bucket, members) in buckets.enumerated() {
            try pending[bucket]?.wait()
            let reduced = staging[bucket]
            for index in members {
                let gradient = gradients[index]!, offset = placement[index].offset
                for element in gradient.indices { gradient[element] = reduced[offset + element] / ranks }
            }
        }
    }

    /// Forgets this step's gradients and reductions.
    private func reset() {
        for index in gradients.indices { gradients[index] = nil }
        for bucket in pending.indices { pending[bucket] = nil }
        missing = buckets.map(\.count)
        nextToStart = 0
        firstRunning = 0
    }
}
