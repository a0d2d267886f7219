import StrataCore
import StrataNN
import XCTest

final class ParameterTests: XCTestCase {
    func testPrefixAndCount() {
        let parameters = [Parameter(name: "kernel", tensor: Tensor.zeros([3, 4])),
                          Parameter(name: "bias", tensor: Tensor.zeros([4]))].prefixed("dense")
        XCTAssertEqual(parameters.map(\.name), ["dense.kernel", "dense.bias"])
        XCTAssertEqual(parameters.scalarCount, 16)
    }
}
