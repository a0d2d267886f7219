/// Copies between strided views and dense row-major buffers.
enum StridedCopy {
    /// Writes the elements of `source` in row-major order to `destination` (`source.count` elements).
    static func copy(_ source: Tensor, into destination: UnsafeMutablePointer<Float>) {
        forEachRow(of: source) { row, rowIndex, innerSize, innerStride in
            let out = destination + rowIndex * innerSize
            if innerStride == 1 {
                out.update(from: row, count: innerSize)
            } else {
                for j in 0..<innerSize { out[j] = row[j * innerStride] }
            }
        }
    }

    /// Writes the dense row-major values at `source` into the elements of the view `destination`.
    static func copy(_ source: UnsafePointer<Float>, intoView destination: Tensor) {
        forEachRow(of: destination) { row, rowIndex, innerSize, innerStride in
            let input = source + rowIndex * innerSize
            if innerStride == 1 {
                row.update(from: input, count: innerSize)
            } else {
                for j in 0..<innerSize { row[j * innerStride] = input[j] }
            }
        }
    }

    /// Calls `body` with a pointer to the start of each innermost row of `view`, the row's number in
    /// row-major order, the row length and the stride between its elements.
    private static func forEachRow(
        of view: Tensor, _ body: (UnsafeMutablePointer<Float>, Int, Int, Int) -> Void
    ) {
        let shape = view.shape, strides = view.strides
        let rank = shape.count
        let count = view.count
        if count == 0 { return }
        let base = view.storage.pointer + view.offset
        if rank == 0 { body(base, 0, 1, 1); return }
        let innerSize = shape[rank - 1], innerStride = strides[rank - 1]
        let outerCount = count / innerSize
        // An odometer over the outer dimensions.
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        for rowIndex in 0..<outerCount {
            body(base + offset, rowIndex, innerSize, innerStride)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
