/// Deterministic Floats of varied size and sign for the checks: the same (rank, stream, index) gives the
/// same value on every rank, so each rank can compute what the others hold.
enum TestValues {
    /// Element `index` of stream `stream` held by rank `rank`: in ±[0, 1000), with low bits that make sums round.
    static func value(rank: Int, stream: Int, index: Int) -> Float {
        var x = UInt64(truncatingIfNeeded: rank &* 1_000_003 &+ stream &* 7919 &+ index &* 31) &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        let unit = Float(x >> 40) / Float(1 << 24) * 2 - 1                // [-1, 1)
        let scale: Float = x & 3 == 0 ? 0.001 : x & 3 == 1 ? 1 : x & 3 == 2 ? 37 : 999
        return unit * scale
    }

    /// `count` values of `stream` held by `rank`.
    static func values(rank: Int, stream: Int, count: Int) -> [Float] {
        (0..<count).map { value(rank: rank, stream: stream, index: $0) }
    }

    /// The sum over `ranks` ranks of `stream`, added in rank order (with 2 ranks, any order gives the same bits).
    static func sum(ranks: Int, stream: Int, count: Int) -> [Float] {
        var total = values(rank: 0, stream: stream, count: count)
        for rank in 1..<max(ranks, 1) {
            for index in 0..<count { total[index] += value(rank: rank, stream: stream, index: index) }
        }
        return total
    }
}

/// Whether `a` and `b` hold the same bits; with more than two ranks MPI may add in another order, so
/// then a relative tolerance of 1e-5 of the largest magnitude applies instead.
func sameValues(_ a: [Float], _ b: [Float], ranks: Int) -> Bool {
    guard a.count == b.count else { return false }
    if ranks <= 2 { return zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern } }
    let scale = b.map(abs).max() ?? 0
    return zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(scale, 1) }
}
