import XCTest
@testable import StrataRetrieval

final class VectorSetTests: XCTestCase {
    func testCountAndRowsAndAppend() {
        var set = VectorSet(dimension: 2, values: [1, 2, 3, 4])
        XCTAssertEqual(set.count, 2)
        XCTAssertEqual(Array(set.vector(at: 1)), [3, 4])
        set.append(contentsOf: VectorSet(dimension: 2, values: [5, 6]))
        XCTAssertEqual(set.count, 3)
        XCTAssertEqual(Array(set.vector(at: 2)), [5, 6])
    }
}
