import StrataData

extension VectorSet {
    /// Each image of `dataset` as a vector of its pixels in [0, 1], centred on the image's mean and
    /// scaled to unit length (all zeros for a uniform image): the baseline embedding without a network,
    /// whose inner products are the images' Pearson correlations. `(count, C·H·W)`.
    public init(centredPixelsOf dataset: Dataset) {
        let size = dataset.pixelsPerImage
        var values = [Float](repeating: 0, count: dataset.count * size)
        values.withUnsafeMutableBufferPointer { out in
            for index in 0..<dataset.count {
                let pixels = dataset.image(at: index).map { Float($0) / 255 }
                let mean = pixels.reduce(0, +) / Float(size)
                var norm: Float = 0
                for value in pixels { norm += (value - mean) * (value - mean) }
                let scale = norm > 0 ? 1 / norm.squareRoot() : 0
                for (offset, value) in pixels.enumerated() { out[index * size + offset] = (value - mean) * scale }
            }
        }
        self.init(dimension: size, values: values)
    }
}
