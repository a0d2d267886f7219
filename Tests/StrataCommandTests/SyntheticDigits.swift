import Foundation

/// A tiny stand-in for MNIST that the tests write themselves: 28×28 images whose class (0–9) is a bright
/// 7×7 square at a place of its own, over a dim background with a little fixed noise.
enum SyntheticDigits {
    /// The side of each image.
    static let side = 28

    /// Training labels: class c appears 25 + c times (295 images), classes interleaved.
    static let trainingLabels: [Int] = (0..<35).flatMap { round in (0..<10).filter { round < 25 + $0 } }

    /// Test labels: 0, 1, …, 9 ten times over (100 images).
    static let testLabels: [Int] = (0..<100).map { $0 % 10 }

    /// The pixels (row-major, side × side) of the `index`-th image of a part whose labels are `labels`.
    static func pixels(label: Int, index: Int, noiseSeed: Int) -> [UInt8] {
        (0..<(side * side)).map { offset in
            let (y, x) = (offset / side, offset % side)
            let inside = y / 7 == label / 4 && x / 7 == label % 4
            return UInt8((inside ? 200 : 10) + (index * 31 + y * 7 + x * 13 + noiseSeed) % 40)
        }
    }

    /// The images of the training part (noise seed 0) or the test part (noise seed 5).
    static func images(test: Bool) -> [[UInt8]] {
        let labels = test ? testLabels : trainingLabels
        return labels.enumerated().map { pixels(label: $1, index: $0, noiseSeed: test ? 5 : 0) }
    }

    /// Writes `<root>/mnist/` with the four files under their built-in names (plain, not gzipped).
    static func writeMNIST(under root: URL) throws {
        let folder = root.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try idxImages(images(test: false)).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        try idxLabels(trainingLabels).write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
        try idxImages(images(test: true)).write(to: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        try idxLabels(testLabels).write(to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
    }

    /// An IDX file of UInt8 images `(count, side, side)`: magic 0x00000803, then the sizes big-endian.
    static func idxImages(_ images: [[UInt8]]) -> Data {
        var bytes = bigEndian([0x803, UInt32(images.count), UInt32(side), UInt32(side)])
        for image in images { bytes += image }
        return Data(bytes)
    }

    /// An IDX file of UInt8 labels `(count)`: magic 0x00000801, then the count big-endian.
    static func idxLabels(_ labels: [Int]) -> Data {
        Data(bigEndian([0x801, UInt32(labels.count)]) + labels.map { UInt8($0) })
    }

    private static func bigEndian(_ words: [UInt32]) -> [UInt8] {
        words.flatMap { word in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) } }
    }
}
