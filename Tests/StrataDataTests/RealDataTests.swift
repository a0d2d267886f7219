import Foundation
@testable import StrataData
import XCTest

/// With STRATA_DATA pointing at the shared data, the API gives the published counts.
final class RealDataTests: XCTestCase {
    func testMNISTAndFashionMNISTCounts() throws {
        let root = try Fixtures.sharedDataRoot()
        let locator = DatasetLocator(environment: ["STRATA_DATA": root.path, "HOME": "/nonexistent"])
        for dataset in BuiltinDataset.allCases {
            let training = try Dataset.builtin(dataset, part: .training, locator: locator)
            let test = try Dataset.builtin(dataset, part: .test, locator: locator)
            XCTAssertEqual(training.count, 60_000, "\(dataset)")
            XCTAssertEqual(test.count, 10_000, "\(dataset)")
            XCTAssertEqual(training.imageShape, [1, 28, 28])
            XCTAssertEqual(training.images.count, 60_000 * 784)
            XCTAssertEqual(test.classCounts().reduce(0, +), 10_000)
            if dataset == .fashionMNIST {
                XCTAssertEqual(training.classCounts(), [Int](repeating: 6_000, count: 10))
                XCTAssertEqual(test.classCounts(), [Int](repeating: 1_000, count: 10))
                XCTAssertEqual(training.classNames[training.labels[0]], "Ankle boot")
            } else {
                XCTAssertEqual(training.classCounts(), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
                XCTAssertEqual(Array(training.labels.prefix(5)), [5, 0, 4, 1, 9])
            }
        }
    }
}

extension RealDataTests {
    /// The default locator, driven by the process's own STRATA_DATA (e.g. `STRATA_DATA=../shared/data swift test`).
    func testDefaultLocatorFollowsSTRATA_DATA() throws {
        guard let root = ProcessInfo.processInfo.environment["STRATA_DATA"], !root.isEmpty else {
            throw XCTSkip("STRATA_DATA is not set; skipping")
        }
        let training = try Dataset.builtin(.fashionMNIST, part: .training)
        XCTAssertEqual(training.count, 60_000)
        XCTAssertEqual(try Dataset.builtin(.mnist, part: .test).count, 10_000)
        XCTAssertEqual(try DatasetLocator().locate(.mnist).path,
                       URL(fileURLWithPath: root).appendingPathComponent("mnist").path)
    }
}
