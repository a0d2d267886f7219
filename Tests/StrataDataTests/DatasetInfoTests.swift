import Foundation
@testable import StrataData
import XCTest

final class DatasetInfoTests: XCTestCase {
    func testReportShowsCountsShapeAndClasses() throws {
        let folder = TemporaryFolder()
        Fixtures.writeIDXPair(in: folder, subfolder: "fashion-mnist", part: .training, count: 20)
        Fixtures.writeIDXPair(in: folder, subfolder: "fashion-mnist", part: .test, count: 10)
        let locator = DatasetLocator(environment: ["STRATA_DATA": folder.url.path, "HOME": folder.file("home").path])
        let info = try DatasetInfo(.fashionMNIST, locator: locator)
        XCTAssertEqual(info.parts.map(\.count), [20, 10])
        XCTAssertEqual(info.parts[0].classCounts, [Int](repeating: 2, count: 10))
        XCTAssertEqual(info.imageShape, [1, 4, 4])
        let report = info.report()
        XCTAssertTrue(report.contains("fashion-mnist (\(folder.file("fashion-mnist").path))"), report)
        XCTAssertTrue(report.contains("images: 4×4, 1 channel, UInt8; 10 classes"), report)
        XCTAssertTrue(report.contains("training: 20 images"), report)
        XCTAssertTrue(report.contains("test: 10 images"), report)
        let bootRow = report.split(separator: "\n").first { $0.hasPrefix("9 Ankle boot") }
        XCTAssertEqual(bootRow?.split(separator: " ").suffix(2), ["2", "1"], report)
    }

    func testInfoOfDatasetsInMemory() {
        let data = Fixtures.dataset(count: 12_345, classes: 3)
        let info = DatasetInfo(name: "mine", parts: [("all", data)])
        XCTAssertTrue(info.report().contains("all: 12,345 images"))
        XCTAssertTrue(info.report().contains("0 class0"))
        XCTAssertEqual(DatasetInfo.grouped(1_234_567), "1,234,567")
        XCTAssertEqual(DatasetInfo.grouped(999), "999")
    }
}
