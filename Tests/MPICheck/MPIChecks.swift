import CStrataMPI
import Foundation
import StrataDistributed

/// The checks of `strata-mpi-check check`: each runs on every rank, compares what the collectives give
/// with values computed locally, and prints one line.
final class MPIChecks {
    /// The ranks under test.
    let world: Communicator
    /// How many checks failed on this rank.
    private(set) var failures = 0

    init(world: Communicator) { self.world = world }

    /// Runs every check in the same order on every rank (they are collectives).
    func run() {
        check("world") { self.world.usesMPI && self.world.size >= 2 && (0..<self.world.size).contains(self.world.rank) }
        check("allgather") { try self.allgatherGivesRankOrder() }
        for (stream, count) in [1, 7, 1000, 65_537, 1_048_583].enumerated() {
            check("allreduce-sum-\(count)") { try self.allreduceMatches(stream: stream, count: count, .sum) }
            check("allreduce-mean-\(count)") { try self.allreduceMatches(stream: stream, count: count, .mean) }
        }
        check("allreduce-empty") { try self.allreduceOfNothing() }
        check("broadcast-first") { try self.broadcastCopiesRoot(0) }
        check("broadcast-last") { try self.broadcastCopiesRoot(self.world.size - 1) }
        check("barrier") { try self.barrierWaitsForEveryRank() }
        check("nonblocking-allreduce") { try self.nonBlockingAllreduceMatches() }
        check("buckets-several") { try self.bucketsMatchFlat(bucketBytes: 64 * 1024, minimumBuckets: 3, steps: 2) }
        check("buckets-one-flat") { try self.bucketsMatchFlat(bucketBytes: GradientBuckets.defaultBucketBytes, minimumBuckets: 1, steps: 1) }
        check("errors-return") { try self.errorsAreReturned() }
    }

    /// Runs `body` and prints its outcome; a thrown error counts as a failure.
    private func check(_ name: String, _ body: () throws -> Bool) {
        let passed: Bool
        do {
            passed = try body()
        } catch {
            print("rank \(world.rank): \(name) threw: \(error)")
            passed = false
        }
        if !passed { failures += 1 }
        print("rank \(world.rank): \(name) \(passed ? "ok" : "FAILED")")
    }

    private func allgatherGivesRankOrder() throws -> Bool {
        let triple: (Int) -> [Float] = { rank in [0, 1, 2].map { Float(rank * 10 + $0) } }
        let gathered = try world.allgather(triple(world.rank))
        return gathered == (0..<world.size).flatMap(triple)
    }

    private func allreduceMatches(stream: Int, count: Int, _ reduction: Communicator.Reduction) throws -> Bool {
        var values = TestValues.values(rank: world.rank, stream: stream, count: count)
        try world.allreduce(&values, reduction)
        var expected = TestValues.sum(ranks: world.size, stream: stream, count: count)
        if reduction == .mean { expected = expected.map { $0 / Float(world.size) } }
        return sameValues(values, expected, ranks: world.size)
    }

    private func allreduceOfNothing() throws -> Bool {
        var values: [Float] = []
        try world.allreduce(&values, .mean)
        let gathered = try world.allgather([Float]())
        return values.isEmpty && gathered.isEmpty
    }

    private func broadcastCopiesRoot(_ root: Int) throws -> Bool {
        var values = TestValues.values(rank: world.rank, stream: 20 + root, count: 10_001)
        try world.broadcast(&values, root: root)
        return values == TestValues.values(rank: root, stream: 20 + root, count: 10_001)
    }

    /// Rank 0 arrives 0.3 s late: every other rank must spend about that long in the barrier.
    private func barrierWaitsForEveryRank() throws -> Bool {
        try world.barrier()
        let start = Date()
        if world.isRoot { Thread.sleep(forTimeInterval: 0.3) }
        try world.barrier()
        let waited = Date().timeIntervalSince(start)
        return world.isRoot || waited >= 0.25
    }

    private func nonBlockingAllreduceMatches() throws -> Bool {
        let count = 1_000_003
        var values = TestValues.values(rank: world.rank, stream: 30, count: count)
        let expected = TestValues.sum(ranks: world.size, stream: 30, count: count).map { $0 / Float(world.size) }
        try values.withUnsafeMutableBufferPointer { buffer in
            let pending = try world.startAllreduce(buffer, .mean)
            while try !pending.test() {}
            try pending.wait()
        }
        return sameValues(values, expected, ranks: world.size)
    }

    /// Gradients of odd sizes through `GradientBuckets` (marked in a different order on each rank) equal a
    /// flat mean allreduce of all of them end to end, for `steps` steps with new values each step.
    private func bucketsMatchFlat(bucketBytes: Int, minimumBuckets: Int, steps: Int) throws -> Bool {
        let counts = (0..<37).map { index in index == 5 || index == 30 ? 70_001 : 1 + (index * 7919) % 9_973 }
        let buckets = GradientBuckets(counts: counts, communicator: world, bucketBytes: bucketBytes)
        guard buckets.buckets.count >= minimumBuckets, buckets.buckets.first?.first == counts.count - 1 else { return false }
        for step in 0..<steps {
            let streams = counts.indices.map { 100 + step * 100 + $0 }
            var gradients = counts.indices.map { TestValues.values(rank: world.rank, stream: streams[$0], count: counts[$0]) }
            var flat = gradients.flatMap { $0 }
            try world.allreduce(&flat, .mean)
            // Rank 0 marks as backward would, last parameter first; the others in a scrambled order.
            var order = Array(counts.indices.reversed())
            if world.rank != 0 { order = counts.indices.map { ($0 * 13) % counts.count } }
            let buffers = gradients.map { values in
                let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
                _ = buffer.initialize(from: values)
                return buffer
            }
            defer { for buffer in buffers { buffer.deallocate() } }
            for index in order {
                try buckets.markReady(index, gradient: buffers[index])
            }
            try buckets.finish()
            var offset = 0
            for index in counts.indices {
                gradients[index] = Array(buffers[index])
                guard sameValues(gradients[index], Array(flat[offset..<offset + counts[index]]), ranks: world.size) else { return false }
                offset += counts[index]
            }
        }
        return true
    }

    /// A count MPI cannot take becomes a thrown error naming the call, and an MPI error (a root that is no
    /// rank) is returned to the caller instead of aborting the job (MPI_ERRORS_RETURN).
    private func errorsAreReturned() throws -> Bool {
        let one = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
        defer { one.deallocate() }
        var named = false
        do {
            _ = try world.startAllreduce(UnsafeMutableBufferPointer(start: one.baseAddress, count: Int(Int32.max) + 1))
        } catch let error as DistributedError {
            named = error.description.hasPrefix("MPI_Iallreduce failed")
        }
        let code = strata_mpi_broadcast_float(one.baseAddress!, 1, 99)
        return named && code != 0
    }
}
