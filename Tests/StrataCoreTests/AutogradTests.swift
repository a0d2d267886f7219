import StrataCore
import StrataTestSupport
import XCTest

final class AutogradTests: XCTestCase {
    func testTensorUsedTwiceGetsSumOfGradients() throws {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        try (x * x + x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [3, 5, 7], "d/dx (x² + x) = 2x + 1")
    }

    /// `onLeafGradient` sees each leaf once, with its complete gradient.
    func testLeafGradientsAreHandedOverOnceWhenComplete() throws {
        let w1 = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        let w2 = Tensor(shape: [2, 1], scalars: [0.5, -1], requiresGrad: true)
        let x = Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1])
        let hidden = x.matmul(w1)
        let out = (hidden.matmul(w2) + hidden.sum(alongAxes: [1], keepingDimensions: true).matmul(w2.sum().reshaped([1, 1]))).sum()
        var seen: [ObjectIdentifier: [Float]] = [:]
        var calls = 0
        try out.backward { leaf in
            calls += 1
            seen[ObjectIdentifier(leaf)] = leaf.grad!.scalars
        }
        XCTAssertEqual(calls, 2, "each leaf once")
        XCTAssertEqual(seen[ObjectIdentifier(w2)], w2.grad?.scalars, "w2 (used twice) was complete when handed over")
        XCTAssertEqual(seen[ObjectIdentifier(w1)], w1.grad?.scalars)
        XCTAssertNil(seen[ObjectIdentifier(x)], "x is no parameter: it needs no gradient")
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
