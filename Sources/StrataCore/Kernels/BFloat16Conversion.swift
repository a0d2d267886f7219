/// Float32 ↔ bfloat16 conversion: round to nearest, ties to even (as oneDNN's reorders and PyTorch's
/// `.bfloat16()` do), NaN kept a quiet NaN of the same sign. A bfloat16 is the upper 16 bits of a
/// Float32 (1 sign, 8 exponent, 7 fraction bits), stored here as `UInt16`.
enum BFloat16Conversion {
    /// bfloat16 bits of `value`: the vectorized kernel's scalar tail (bit arithmetic: add 0x7FFF plus
    /// the lowest kept bit, then drop the low 16 bits).
    @inline(__always)
    static func bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if bits & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// The Float32 whose value the bfloat16 `bits` hold (exact).
    @inline(__always)
    static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// destination[i] = bits(source[i]) for i < count, 16 at a time.
    static func convert(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<UInt16>, count: Int) {
        var i = 0
        let quietBit = SIMD16<UInt32>(repeating: 0x0040), infinity = SIMD16<UInt32>(repeating: 0x7F80_0000)
        while i + 16 <= count {
            let bits = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<UInt32>.self)
            let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
            let isNaN = (bits & 0x7FFF_FFFF) .> infinity
            let result = rounded.replacing(with: (bits &>> 16) | quietBit, where: isNaN)
            UnsafeMutableRawPointer(destination + i).storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: result),
                                                                as: SIMD16<UInt16>.self)
            i += 16
        }
        while i < count {
            destination[i] = bits(source[i])
            i += 1
        }
    }

    /// The (rows, columns) matrix at `source` with `leadingDimension` floats between rows, converted
    /// into a dense (rows, columns) bfloat16 matrix at `destination`; rows in parallel when large.
    static func convertMatrix(_ source: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int,
                              to destination: UnsafeMutablePointer<UInt16>) {
        if leadingDimension == columns {
            ThreadPolicy.parallelFor(count: rows * columns) { range in
                convert(source + range.lowerBound, to: destination + range.lowerBound, count: range.count)
            }
            return
        }
        ThreadPolicy.parallelFor(count: rows, minimumPerThread: Swift.max(1, (1 << 16) / Swift.max(columns, 1))) { range in
            for row in range {
                convert(source + row * leadingDimension, to: destination + row * columns, count: columns)
            }
        }
    }

    /// The plain reference `bits` is tested against: the nearer of the two bfloat16 values around
    /// `value` by exact (Double) distance, the one with an even last bit on a tie; beyond the largest
    /// finite bfloat16 by half a step or more, infinity.
    static func referenceBits(_ value: Float) -> UInt16 {
        if value.isNaN { return UInt16(truncatingIfNeeded: value.bitPattern >> 16) | 0x0040 }
        let toward = UInt16(truncatingIfNeeded: value.bitPattern >> 16)   // truncated: toward zero
        let lower = Double(float(toward))
        if lower == Double(value) { return toward }
        let away = toward &+ 1                                             // the next larger magnitude
        // The step past the largest finite bfloat16 lands on infinity; measure it as 2^128.
        let upper = away & 0x7FFF == 0x7F80 ? (value < 0 ? -0x1p128 : 0x1p128) : Double(float(away))
        let distanceToward = abs(Double(value) - lower), distanceAway = abs(upper - Double(value))
        if distanceToward != distanceAway { return distanceToward < distanceAway ? toward : away }
        return toward & 1 == 0 ? toward : away
    }
}

extension Tensor {
    /// A new tensor whose values are this tensor's rounded to bfloat16 (to nearest, ties to even) and
    /// stored back as Float32, as PyTorch's `x.bfloat16().float()`; not recorded on the tape.
    public func roundedToBFloat16() -> Tensor {
        let dense = contiguousStorageView()
        let result = Tensor(uninitializedShape: shape)
        for i in 0..<count {
            result.pointer[i] = BFloat16Conversion.float(BFloat16Conversion.bits(dense.pointer[i]))
        }
        return result
    }
}
