import StrataCore
import StrataTestSupport
import XCTest

final class AutogradTests: XCTestCase {
    func testTensorUsedTwiceGetsSumOfGradients() throws {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        try (x * x + x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [3, 5, 7], "d/dx (x² + x) = 2x + 1")
    }

    func testSharedWeightsOfSiamesePairGetBothBranches() throws {
        // One scorer w applied to two inputs; the loss uses the difference of the scores.
        let w = Tensor([[0.5], [-1.0]], requiresGrad: true)
        let a = Tensor([[1, 2]]), b = Tensor([[3, 5]])
        let difference = a.matmul(w) - b.matmul(w)
        try difference.sum().backward()
        XCTAssertEqual(w.grad?.scalars, [1 - 3, 2 - 5], "gradient from both branches is summed")
    }

    func testGradientsAccumulateAcrossBackwardCallsUntilCleared() throws {
        let x = Tensor([2], requiresGrad: true)
        try (x * 3).sum().backward()
        try (x * 3).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [6])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testLeavesNeverShareGradientBuffers() throws {
        let a = Tensor([1, 2], requiresGrad: true), b = Tensor([3, 4], requiresGrad: true)
        try (a + b).sum().backward()
        a.grad!.scaleInPlace(by: 10)
        XCTAssertEqual(b.grad?.scalars, [1, 1], "scaling one leaf's gradient must not touch another's")
    }

    func testNoGradRecordsNothing() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = noGrad { (x * 2).exp() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(GradMode.isEnabled, "grad mode is restored after noGrad")
    }

    func testDeepGraphDoesNotOverflowTheStack() throws {
        // 20,000 chained ops would overflow a recursive topological sort.
        let x = Tensor([1], requiresGrad: true)
        var y = x
        for _ in 0..<20_000 { y = y * 1.0001 }
        try y.sum().backward()
        XCTAssertEqual(x.grad!.scalar, Float(pow(1.0001, 20_000.0)), accuracy: 1e-2)
    }

    func testDiamondGraphOrder() throws {
        // x feeds two paths that join again: each node must be processed after all its users.
        let x = Tensor([0.5], requiresGrad: true)
        let a = x.exp(), b = x.squared()
        let c = a * b + a
        try c.sum().backward()
        let expected = Float(exp(0.5) * 0.25 + exp(0.5) * 2 * 0.5 + exp(0.5))
        XCTAssertEqual(x.grad!.scalar, expected, accuracy: 1e-5)
    }

    func testDetachedTensorStopsGradients() throws {
        let x = Tensor([3], requiresGrad: true)
        let y = x * x.detached()
        try y.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [3])
    }
}
