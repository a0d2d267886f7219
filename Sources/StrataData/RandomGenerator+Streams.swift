import StrataCore

extension RandomGenerator {
    /// A generator for one numbered stream of `seed`, e.g. `(seed, epoch)` or `(seed, epoch, position)`.
    ///
    /// Streams with different numbers are independent, and each is fixed by its numbers alone, so work can
    /// be done on any thread in any order and still give the same result.
    init(seed: UInt64, stream numbers: UInt64...) {
        var state = seed
        for number in numbers {
            state = RandomGenerator.mix(state ^ RandomGenerator.mix(number &+ 0x9E37_79B9_7F4A_7C15))
        }
        self.init(seed: state)
    }

    /// SplitMix64's finalizer: a bijective scramble of 64 bits.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
