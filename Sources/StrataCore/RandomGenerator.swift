import Foundation

/// A fast, seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// The same seed always gives the same sequence on every machine, which makes runs reproducible.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var spareNormal: Float?

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The whole state, to save and continue later with `init(state:)`: the four xoshiro words, then a
    /// fifth holding the pending normal value of a Box–Muller pair (2^32 + its bits), or 0 when none.
    public var state: [UInt64] {
        [s0, s1, s2, s3, spareNormal.map { 1 << 32 | UInt64($0.bitPattern) } ?? 0]
    }

    /// A generator that continues exactly where the one whose `state` this is stood; nil when `state`
    /// is not five words of that form (or its four xoshiro words are all zero, a state it never has).
    public init?(state: [UInt64]) {
        guard state.count == 5, state[0..<4].contains(where: { $0 != 0 }), state[4] >> 32 <= 1,
              state[4] >> 32 == 1 || state[4] == 0 else { return nil }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
        spareNormal = state[4] >> 32 == 1 ? Float(bitPattern: UInt32(truncatingIfNeeded: state[4])) : nil
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform value in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal value (Box–Muller; pairs are generated together).
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let radius = (-2.0 * log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareNormal = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }

    /// A uniform integer in `0..<bound`.
    @inline(__always)
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "RandomGenerator.nextInt(below:): bound must be positive")
        return Int(next(upperBound: UInt64(bound)))
    }

    /// A new, independent generator derived from this one (for a worker or a layer).
    public mutating func split() -> RandomGenerator {
        RandomGenerator(seed: next())
    }

    /// The process-wide generator used when no generator or seed is given; `manualSeed` resets it.
    public nonisolated(unsafe) static var global = RandomGenerator(seed: 0x5EED)

    /// Resets the process-wide generator to a known state, like `torch.manual_seed`.
    public static func manualSeed(_ seed: UInt64) {
        global = RandomGenerator(seed: seed)
    }
}
