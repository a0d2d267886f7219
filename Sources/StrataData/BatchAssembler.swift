import Foundation
import StrataCore

/// Turns dataset rows into a float batch `(B, C, H, W)`: bytes → [0, 1] → augmentations → normalization.
///
/// Each image's random draws come from its own generator, numbered by `(seed, epoch, position)`, so a batch
/// is the same whichever thread builds it and whether or not it was prefetched.
struct BatchAssembler: Sendable {
    let dataset: Dataset
    let normalization: Normalization
    let augmentations: [any ImageAugmentation]
    let seed: UInt64
    let threads: Int
    private let tables: [[Float]]

    init(dataset: Dataset, normalization: Normalization, augmentations: [any ImageAugmentation], seed: UInt64,
         threads: Int) {
        self.dataset = dataset
        self.normalization = normalization
        self.augmentations = augmentations
        self.seed = seed
        self.threads = max(1, threads)
        tables = normalization.lookupTables(channels: dataset.channels)
    }

    /// The images at `indices` as a tensor `(B, C, H, W)`; `firstPosition` numbers the first one within `epoch`.
    func images(_ indices: [Int], epoch: Int, firstPosition: Int) -> Tensor {
        let size = dataset.pixelsPerImage
        let output = Tensor(uninitializedShape: [indices.count, dataset.channels, dataset.height, dataset.width])
        let destination = output.pointer
        let work = { (range: Range<Int>) in
            for row in range {
                writeImage(indices[row], position: firstPosition + row, epoch: epoch, to: destination + row * size)
            }
        }
        // Augmentation costs microseconds per image: worth spreading; plain conversion is not.
        let parts = augmentations.isEmpty ? 1 : min(threads, indices.count / 16)
        if parts <= 1 {
            work(0..<indices.count)
        } else {
            let chunk = (indices.count + parts - 1) / parts
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                work((part * chunk)..<min((part + 1) * chunk, indices.count))
            }
        }
        return output
    }

    /// Writes one image `(C, H, W)`, augmented and normalized, at `destination`.
    private func writeImage(_ index: Int, position: Int, epoch: Int, to destination: UnsafeMutablePointer<Float>) {
        let plane = dataset.height * dataset.width
        let start = index * dataset.pixelsPerImage
        if augmentations.isEmpty {
            dataset.images.withUnsafeBufferPointer { bytes in
                for channel in 0..<dataset.channels {
                    tables[channel].withUnsafeBufferPointer { table in
                        let source = bytes.baseAddress! + start + channel * plane
                        let target = destination + channel * plane
                        for offset in 0..<plane { target[offset] = table[Int(source[offset])] }
                    }
                }
            }
            return
        }
        var generator = RandomGenerator(seed: seed, stream: UInt64(epoch), UInt64(position))
        var image = FloatImage(bytes: dataset.image(at: index), channels: dataset.channels,
                               height: dataset.height, width: dataset.width)
        for augmentation in augmentations { augmentation.apply(to: &image, using: &generator) }
        for channel in 0..<dataset.channels {
            for offset in 0..<plane {
                destination[channel * plane + offset] = normalization.apply(image.pixels[channel * plane + offset],
                                                                            channel: channel)
            }
        }
    }

    /// Class indices as a tensor `(B)` of floats, or one-hot `(B, K)`.
    func labels(_ indices: [Int], oneHot: Bool) -> Tensor {
        let classes = dataset.classCount
        if !oneHot {
            return Tensor(shape: [indices.count], scalars: indices.map { Float(dataset.labels[$0]) })
        }
        var scalars = [Float](repeating: 0, count: indices.count * classes)
        for (row, index) in indices.enumerated() { scalars[row * classes + dataset.labels[index]] = 1 }
        return Tensor(shape: [indices.count, classes], scalars: scalars)
    }
}
