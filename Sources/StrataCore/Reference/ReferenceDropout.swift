/// The plain twin of `DropoutMask`: dropout as it was first written, a `Float` mask of 0 and
/// 1 / (1 − rate) multiplied into the input; the tests compare the byte mask against it bit for bit.
enum ReferenceDropout {
    /// The `Float` mask, drawn as `DropoutMask` draws (one uniform number per element, in order).
    static func mask(count: Int, rate: Float, generator: inout RandomGenerator) -> [Float] {
        let keepScale = 1 / (1 - rate)
        return (0..<count).map { _ in generator.nextUniform() < rate ? 0 : keepScale }
    }

    /// `x * mask`, elementwise, in row-major order.
    static func apply(_ mask: [Float], to x: Tensor) -> [Float] {
        zip(x.scalars, mask).map { $0 * $1 }
    }
}
