import Foundation

/// Resizes images held as planes `(C, H, W)`, each axis on its own: area averaging along an axis that
/// shrinks, bilinear interpolation along one that grows (pixel centres aligned, edges clamped).
///
/// ```swift
/// // A 112×92 ORL photo to 56×46: every output pixel is the mean of a 2×2 block.
/// let small = ImageResize.resize(photo, channels: 1, from: (112, 92), to: (56, 46))
/// ```
public enum ImageResize {
    /// Resizes `pixels` `(C, H, W)` from `source` to `target` (both at least 1×1), rounding to the nearest byte.
    ///
    /// The fast path: the weights along each axis are tabulated once, rows are resized first, then columns.
    public static func resize(_ pixels: [UInt8], channels: Int, from source: (height: Int, width: Int),
                              to target: (height: Int, width: Int)) -> [UInt8] {
        checkSizes(pixels, channels: channels, from: source, to: target)
        if source == target { return pixels }
        let columnTaps = taps(from: source.width, to: target.width)
        let rowTaps = taps(from: source.height, to: target.height)
        // Horizontal pass: (C, source.height, target.width) in Float.
        var rows = [Float](repeating: 0, count: channels * source.height * target.width)
        for line in 0..<(channels * source.height) {
            let input = line * source.width
            let output = line * target.width
            for (x, tap) in columnTaps.enumerated() {
                var sum: Float = 0
                for (offset, weight) in tap.weights.enumerated() { sum += weight * Float(pixels[input + tap.start + offset]) }
                rows[output + x] = sum
            }
        }
        // Vertical pass, a whole row at a time.
        var result = [UInt8](repeating: 0, count: channels * target.height * target.width)
        var line = [Float](repeating: 0, count: target.width)
        for channel in 0..<channels {
            for (y, tap) in rowTaps.enumerated() {
                for x in 0..<target.width { line[x] = 0 }
                for (offset, weight) in tap.weights.enumerated() {
                    let input = (channel * source.height + tap.start + offset) * target.width
                    for x in 0..<target.width { line[x] += weight * rows[input + x] }
                }
                let output = (channel * target.height + y) * target.width
                for x in 0..<target.width { result[output + x] = UInt8(min(max(line[x] + 0.5, 0), 255)) }
            }
        }
        return result
    }

    /// The plain reference: each output pixel is the sum over every input pixel of its value times the
    /// product of the two axes' `weight`s, in Double. Slow (every input pixel for every output pixel); for tests.
    public static func referenceResize(_ pixels: [UInt8], channels: Int, from source: (height: Int, width: Int),
                                       to target: (height: Int, width: Int)) -> [UInt8] {
        checkSizes(pixels, channels: channels, from: source, to: target)
        var result = [UInt8](repeating: 0, count: channels * target.height * target.width)
        for channel in 0..<channels {
            for y in 0..<target.height {
                for x in 0..<target.width {
                    var sum = 0.0
                    for inputY in 0..<source.height {
                        let rowWeight = weight(output: y, input: inputY, from: source.height, to: target.height)
                        if rowWeight == 0 { continue }
                        for inputX in 0..<source.width {
                            let value = Double(pixels[(channel * source.height + inputY) * source.width + inputX])
                            sum += rowWeight * weight(output: x, input: inputX, from: source.width, to: target.width) * value
                        }
                    }
                    result[(channel * target.height + y) * target.width + x] = UInt8(min(max(sum.rounded(), 0), 255))
                }
            }
        }
        return result
    }

    /// The share of input sample `input` in output sample `output` along an axis resized from `n` to `m` samples.
    ///
    /// Shrinking: output `o` covers input span `[o·n/m, (o+1)·n/m)`; each input sample weighs the part of that
    /// span it covers. Growing: output `o` sits at input position `(o + ½)·n/m − ½`, clamped to `[0, n−1]`, and
    /// takes the two nearest input samples in proportion to their nearness.
    static func weight(output: Int, input: Int, from n: Int, to m: Int) -> Double {
        if n == m { return output == input ? 1 : 0 }
        if m < n {
            let scale = Double(n) / Double(m)
            let low = Double(output) * scale, high = Double(output + 1) * scale
            return max(0, min(high, Double(input + 1)) - max(low, Double(input))) / scale
        }
        let position = min(max((Double(output) + 0.5) * Double(n) / Double(m) - 0.5, 0), Double(n - 1))
        let left = Int(position.rounded(.down))
        let fraction = position - Double(left)
        if input == left { return 1 - fraction }
        if input == left + 1 { return fraction }
        return 0
    }

    /// For each output sample along an axis resized from `n` to `m`, the first input sample it draws on and
    /// the weights of it and the following ones (the non-zero run of `weight`, computed directly).
    static func taps(from n: Int, to m: Int) -> [(start: Int, weights: [Float])] {
        (0..<m).map { output in
            if n == m { return (output, [1]) }
            if m < n {
                let low = Double(output * n) / Double(m), high = Double((output + 1) * n) / Double(m)
                let first = Int(low.rounded(.down)), end = min(n, Int(high.rounded(.up)))
                let scale = Double(n) / Double(m)
                return (first, (first..<end).map { Float((min(high, Double($0 + 1)) - max(low, Double($0))) / scale) })
            }
            let position = min(max((Double(output) + 0.5) * Double(n) / Double(m) - 0.5, 0), Double(n - 1))
            let left = Int(position.rounded(.down))
            let fraction = Float(position - Double(left))
            return left + 1 < n ? (left, [1 - fraction, fraction]) : (left, [1])
        }
    }

    private static func checkSizes(_ pixels: [UInt8], channels: Int, from source: (height: Int, width: Int),
                                   to target: (height: Int, width: Int)) {
        precondition(source.height > 0 && source.width > 0 && target.height > 0 && target.width > 0 && channels > 0,
                     "ImageResize: sizes must be positive, got \(channels)×\(source.height)×\(source.width)"
                        + " → \(target.height)×\(target.width)")
        precondition(pixels.count == channels * source.height * source.width,
                     "ImageResize: \(pixels.count) pixels for (C, H, W) = (\(channels), \(source.height), \(source.width))")
    }
}
