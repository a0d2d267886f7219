/// Copies the elements of a strided view into a dense row-major buffer.
enum StridedCopy {
    /// Writes the elements of `source` in row-major order to `destination` (`source.count` elements).
    static func copy(_ source: Tensor, into destination: UnsafeMutablePointer<Float>) {
        let shape = source.shape, strides = source.strides
        let rank = shape.count
        let count = source.count
        if count == 0 { return }
        let base = source.storage.pointer + source.offset
        if rank == 0 { destination[0] = base[0]; return }
        let innerSize = shape[rank - 1], innerStride = strides[rank - 1]
        let outerCount = count / innerSize
        // An odometer over the outer dimensions; the innermost runs as a plain loop.
        var index = [Int](repeating: 0, count: rank)
        var sourceOffset = 0
        var out = destination
        for _ in 0..<outerCount {
            let row = base + sourceOffset
            if innerStride == 1 {
                out.update(from: row, count: innerSize)
            } else {
                for j in 0..<innerSize { out[j] = row[j * innerStride] }
            }
            out += innerSize
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                sourceOffset += strides[axis]
                if index[axis] < shape[axis] { break }
                sourceOffset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
