extension Dataset {
    /// A copy with every image mirrored left to right (when `mirrored`), then moved `x` pixels right and `y`
    /// pixels down (negative: left, up); pixels moved in from outside are 0 (black), as the random affine
    /// map fills them. Exact on the bytes: no resampling. Used for test-time augmentation.
    ///
    /// ```swift
    /// let left = test.translated(x: -1, y: 0)       // every digit one pixel to the left
    /// ```
    public func translated(x: Int, y: Int, mirrored: Bool = false) -> Dataset {
        if x == 0 && y == 0 && !mirrored { return self }
        let (height, width) = (self.height, self.width)
        let planes = count * channels
        var output = [UInt8](repeating: 0, count: images.count)
        // The rows and columns of the output that read from inside the image (empty for a shift past the edge).
        let rows = Swift.max(0, y)..<Swift.max(Swift.max(0, y), Swift.min(height, height + y))
        let columns = Swift.max(0, x)..<Swift.max(Swift.max(0, x), Swift.min(width, width + x))
        images.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                for plane in 0..<planes {
                    let base = plane * height * width
                    // Output row r, column c reads input row r − y, column c − x (of the mirrored image).
                    for row in rows {
                        let sourceRow = base + (row - y) * width
                        let targetRow = base + row * width
                        for column in columns {
                            let sourceColumn = column - x
                            destination[targetRow + column] = source[sourceRow + (mirrored ? width - 1 - sourceColumn : sourceColumn)]
                        }
                    }
                }
            }
        }
        var result = self
        result.images = output
        return result
    }
}
