import StrataCore
import StrataTestSupport
import XCTest
@testable import StrataRetrieval

final class KMeansTests: XCTestCase {
    /// Points 0, 1, 10, 11 (1-D) from centres 0 and 1: {0} and {1, 10, 11} first (centres 0 and 22/3),
    /// then {0, 1} and {10, 11}: centres 0.5 and 10.5, inertia 4 × 0.25 = 1, two updates.
    func testHandCheckedOneDimensionalExample() throws {
        let points = VectorSet(dimension: 1, values: [0, 1, 10, 11])
        let options = KMeansOptions(clusterCount: 2, tolerance: 0, initialCentres: VectorSet(dimension: 1, values: [0, 1]))
        let result = try KMeans(options: options).fit(points)
        assertClose(result.centres.values, [0.5, 10.5])
        XCTAssertEqual(result.assignments, [0, 0, 1, 1])
        XCTAssertEqual(result.clusterSizes, [2, 2])
        XCTAssertEqual(result.inertia, 1, accuracy: 1e-6)
        XCTAssertEqual(result.iterations, 2)
        XCTAssertTrue(result.converged)
    }

    /// Unit vectors at 0°, 10°, 80°, 90° with spherical centres: the means of each pair rescaled to
    /// unit length point at 5° and 85°.
    func testSphericalCentresHaveUnitLength() throws {
        let angles: [Float] = [0, 10, 80, 90].map { $0 * .pi / 180 }
        let points = VectorSet(dimension: 2, values: angles.flatMap { [cos($0), sin($0)] })
        let options = KMeansOptions(clusterCount: 2, spherical: true,
                                    initialCentres: VectorSet(dimension: 2, values: [2, 0, 0, 3]))
        let result = try KMeans(options: options).fit(points)
        let five: Float = 5 * .pi / 180
        assertClose(result.centres.values, [cos(five), sin(five), sin(five), cos(five)], atol: 1e-5)
        XCTAssertEqual(result.assignments, [0, 0, 1, 1])
    }

    func testFastLloydMatchesTheReference() throws {
        let points = RetrievalTestData.normal(count: 700, dimension: 5, seed: 11)
        let initial = VectorSet(dimension: 5, values: Array(points.values[0..<(9 * 5)]))
        for spherical in [false, true] {
            let options = KMeansOptions(clusterCount: 9, maximumIterations: 15, tolerance: 0, spherical: spherical,
                                        initialCentres: initial)
            let fast = try KMeans(options: options).fit(points)
            let reference = KMeansReference.lloyd(points, from: initial, options: options)
            XCTAssertEqual(fast.assignments, reference.assignments, "spherical \(spherical)")
            XCTAssertEqual(fast.iterations, reference.iterations)
            assertClose(fast.centres.values, reference.centres.values, rtol: 1e-4, atol: 1e-5)
            XCTAssertEqual(fast.inertia, reference.inertia, accuracy: 1e-3 * reference.inertia)
        }
    }

    /// The fused nearest-centre pass with product blocks of 64 entries (so every block boundary, of
    /// points and of centres, is crossed many times) against the plain Double loops: the same
    /// assignments and iterations, inertia within 1e-5 relative.
    func testFusedAssignmentAcrossManyBlocksMatchesTheReference() throws {
        let saved = ExhaustiveSearch.blockEntries
        defer { ExhaustiveSearch.blockEntries = saved }
        ExhaustiveSearch.blockEntries = 64
        let points = RetrievalTestData.normal(count: 1500, dimension: 12, seed: 12)
        let initial = VectorSet(dimension: 12, values: Array(points.values[0..<(37 * 12)]))
        for spherical in [false, true] {
            let options = KMeansOptions(clusterCount: 37, maximumIterations: 4, tolerance: 0, spherical: spherical,
                                        initialCentres: initial)
            let fast = try KMeans(options: options).fit(points)
            let reference = KMeansReference.lloyd(points, from: initial, options: options)
            XCTAssertEqual(fast.assignments, reference.assignments, "spherical \(spherical)")
            XCTAssertEqual(fast.iterations, reference.iterations)
            XCTAssertEqual(fast.inertia, reference.inertia, accuracy: 1e-5 * reference.inertia)
        }
    }

    /// A centre far from every point gets no points: it is re-seeded by splitting the largest cluster.
    func testEmptyClusterIsReseededBySplittingTheLargest() throws {
        let (points, _) = RetrievalTestData.blobs(centres: [[0, 0], [10, 10]], perBlob: 30, spread: 0.5, seed: 5)
        let initial = VectorSet(dimension: 2, values: [0, 0, 10, 10, 1000, 1000])
        let after = KMeans.update(points, assignments: KMeans.assign(points, to: initial).assignments, centres: initial)
        XCTAssertTrue(after.1)
        XCTAssertNotEqual(Array(after.0.vector(at: 2)), [1000, 1000])
        let options = KMeansOptions(clusterCount: 3, tolerance: 0, initialCentres: initial)
        let result = try KMeans(options: options).fit(points)
        XCTAssertTrue(result.clusterSizes.allSatisfy { $0 > 0 }, "sizes \(result.clusterSizes)")
        let reference = KMeansReference.lloyd(points, from: initial, options: options)
        XCTAssertEqual(result.assignments, reference.assignments)
    }

    /// Four well-separated blobs: k-means++ with restarts finds them exactly, and the same seed gives the same run.
    func testSeededRunsRecoverWellSeparatedBlobs() throws {
        let centres: [[Float]] = [[0, 0, 0], [20, 0, 0], [0, 20, 0], [0, 0, 20]]
        let (points, blob) = RetrievalTestData.blobs(centres: centres, perBlob: 50, spread: 1, seed: 6)
        let options = KMeansOptions(clusterCount: 4, restarts: 3, seed: 42)
        let result = try KMeans(options: options).fit(points)
        var clusterOfBlob = [Int: Int]()
        for (i, cluster) in result.assignments.enumerated() {
            XCTAssertEqual(clusterOfBlob[blob[i], default: cluster], cluster, "blob \(blob[i]) split")
            clusterOfBlob[blob[i]] = cluster
        }
        XCTAssertEqual(Set(clusterOfBlob.values).count, 4)
        XCTAssertEqual(result.clusterSizes, [50, 50, 50, 50])
        XCTAssertTrue(result.converged)
        XCTAssertEqual(try KMeans(options: options).fit(points), result)
    }

    func testSeedingPicksDistinctPointsOfTheSet() {
        let points = RetrievalTestData.normal(count: 50, dimension: 3, seed: 8)
        var generator = RandomGenerator(seed: 1)
        let seeds = KMeans.seedPlusPlus(points, count: 10, generator: &generator)
        let rows = Set((0..<50).map { Array(points.vector(at: $0)) })
        let chosen = (0..<10).map { Array(seeds.vector(at: $0)) }
        XCTAssertEqual(Set(chosen).count, 10)
        XCTAssertTrue(chosen.allSatisfy(rows.contains))
    }

    func testOptionsThatDoNotFitThePointsAreRefused() {
        let points = VectorSet(dimension: 2, values: [0, 0, 1, 1])
        XCTAssertThrowsError(try KMeans(options: KMeansOptions(clusterCount: 3)).fit(points)) {
            XCTAssertEqual(($0 as? IndexError)?.description, "parameter 'clusterCount' is 3 but there are only 2 points to cluster")
        }
        let wrong = KMeansOptions(clusterCount: 2, initialCentres: VectorSet(dimension: 3, values: [0, 0, 0, 1, 1, 1]))
        XCTAssertThrowsError(try KMeans(options: wrong).fit(points)) {
            XCTAssertEqual($0 as? IndexError, .dimensionMismatch(context: "KMeansOptions.initialCentres", expected: 2, found: 3))
        }
    }
}
