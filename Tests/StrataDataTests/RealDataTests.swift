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

extension RealDataTests {
    /// The ORL faces under $STRATA_DATA/orl-faces: 40 people × 10 photos, 112×92 binary PGM.
    func testORLFacesLoadAndResize() throws {
        guard let root = ProcessInfo.processInfo.environment["STRATA_DATA"], !root.isEmpty else {
            throw XCTSkip("STRATA_DATA is not set; skipping")
        }
        let locator = DatasetLocator(environment: ["STRATA_DATA": root, "HOME": "/nonexistent"])
        guard let folder = try? locator.locateImageFolder(BuiltinImageFolder.orlFaces.rawValue) else {
            throw XCTSkip("no orl-faces under \(root); skipping")
        }
        let faces = try ImageFolderDataset.loadFolder(from: folder)
        XCTAssertEqual(faces.dataset.count, 400)
        XCTAssertEqual(faces.dataset.classNames, (1...40).map { "s\($0)" })
        XCTAssertEqual(faces.dataset.classCounts(), [Int](repeating: 10, count: 40))
        XCTAssertEqual(faces.dataset.imageShape, [1, 112, 92])
        XCTAssertEqual(faces.files[0].path, folder.appendingPathComponent("s1/1.pgm").path)
        XCTAssertEqual(faces.files[399].path, folder.appendingPathComponent("s40/10.pgm").path)
        // The header of s1/1.pgm is "P5\n92 112\n255\n"; the first pixels follow it unchanged.
        let raw = [UInt8](try Data(contentsOf: faces.files[0]))
        XCTAssertEqual(Array(faces.dataset.image(at: 0).prefix(16)), Array(raw[14..<30]))

        let small = try ImageFolderDataset.loadFolder(from: folder, size: (height: 56, width: 46))
        XCTAssertEqual(small.dataset.imageShape, [1, 56, 46])
        XCTAssertEqual(small.dataset.labels, faces.dataset.labels)
        XCTAssertEqual(Array(small.dataset.image(at: 5)),
                       ImageResize.resize(Array(faces.dataset.image(at: 5)), channels: 1, from: (112, 92), to: (56, 46)))

        let info = try ImageFolderInfo(folder: folder, dataset: .orlFaces)
        XCTAssertEqual(info.imageCount, 400)
        XCTAssertEqual(info.formats.map(\.format), [.pgm])
        XCTAssertTrue(info.report().contains("people: 40"))
    }
}
