import Foundation
import StrataCore
import StrataRetrieval

/// The vectors the benchmark runs on: generated (random unit vectors or Gaussian blobs) or read from
/// raw float32 files (row-major, little-endian, `(count, dimension)`, what NumPy's `tofile` writes).
enum BenchData {
    /// The generated kinds of data.
    enum Kind: String {
        case random, blobs
    }

    /// `(count, dimension)` base vectors and `(queries, dimension)` queries of `kind`, from `seed`.
    static func generate(_ kind: Kind, count: Int, queries: Int, dimension: Int, blobs: Int,
                         seed: UInt64) -> (base: VectorSet, queries: VectorSet) {
        var generator = RandomGenerator(seed: seed)
        switch kind {
        case .random:
            let base = randomUnitVectors(count: count, dimension: dimension, generator: &generator)
            return (base, randomUnitVectors(count: queries, dimension: dimension, generator: &generator))
        case .blobs:
            // make_blobs's defaults: centres uniform in [-10, 10]^d, standard deviation 1.
            let centres = (0..<(blobs * dimension)).map { _ in 20 * generator.nextUniform() - 10 }
            let base = blobPoints(count: count, centres: centres, dimension: dimension, generator: &generator)
            return (base, blobPoints(count: queries, centres: centres, dimension: dimension, generator: &generator))
        }
    }

    /// `count` random unit vectors of `dimension` values.
    static func randomUnitVectors(count: Int, dimension: Int, generator: inout RandomGenerator) -> VectorSet {
        var values = [Float](repeating: 0, count: count * dimension)
        for row in 0..<count {
            var total: Float = 0
            for j in 0..<dimension {
                values[row * dimension + j] = generator.nextNormal()
                total += values[row * dimension + j] * values[row * dimension + j]
            }
            let scale = 1 / max(total.squareRoot(), 1e-12)
            for j in 0..<dimension { values[row * dimension + j] *= scale }
        }
        return VectorSet(dimension: dimension, values: values)
    }

    /// `count` points, each a uniformly chosen row of `centres (blobs, dimension)` plus N(0, 1) noise.
    static func blobPoints(count: Int, centres: [Float], dimension: Int,
                           generator: inout RandomGenerator) -> VectorSet {
        let blobs = centres.count / dimension
        var values = [Float](repeating: 0, count: count * dimension)
        for row in 0..<count {
            let blob = generator.nextInt(below: blobs)
            for j in 0..<dimension { values[row * dimension + j] = centres[blob * dimension + j] + generator.nextNormal() }
        }
        return VectorSet(dimension: dimension, values: values)
    }

    /// The raw float32 file at `path` as vectors of `dimension`.
    static func readFloat32(_ path: String, dimension: Int) throws -> VectorSet {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count % (4 * dimension) == 0 else {
            throw BenchError("\(path): \(data.count) bytes are not a whole number of \(dimension)-dimensional float32 vectors")
        }
        let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return VectorSet(dimension: dimension, values: values)
    }

    /// Writes `set` to `path` as raw float32.
    static func writeFloat32(_ set: VectorSet, to path: String) throws {
        try set.values.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
    }

    /// The first `count` vectors of `set`.
    static func prefix(_ set: VectorSet, _ count: Int) -> VectorSet {
        VectorSet(dimension: set.dimension, values: Array(set.values[0..<(count * set.dimension)]))
    }
}
