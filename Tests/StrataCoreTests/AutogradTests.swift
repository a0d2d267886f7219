import StrataCore
import StrataTestSupport
import XCTest

final class AutogradTests: XCTestCase {
    func testLeafGetsSeedGradient() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let y = x.contiguous()
        XCTAssertTrue(y === x, "a dense tensor is its own contiguous form")
        let z = x + x
        z.backward(gradient: Tensor([1, 1, 1]))
        XCTAssertEqual(x.grad?.scalars, [2, 2, 2], "a tensor used twice gets the sum of both gradients")
    }
}
