import Foundation
@testable import StrataCore
import StrataTestSupport
import XCTest

/// Misuses of autograd that PyTorch refuses are refused here too, with a message that names the op;
/// grad mode is per thread; the graph is freed as backward walks it and without recursion.
final class AutogradMisuseTests: XCTestCase {
    func testSecondBackwardThroughAReleasedGraphThrowsAndChangesNothing() throws {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let loss = (x * x).sum()
        try loss.backward()
        XCTAssertEqual(x.grad?.scalars, [2, 4, 6])
        XCTAssertThrowsError(try loss.backward()) { error in
            guard case .graphReleased = error as? AutogradError else { return XCTFail("\(error)") }
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("Trying to backward through the graph a second time"), message)
            XCTAssertTrue(message.contains("retainGraph: true"), message)
        }
        XCTAssertEqual(x.grad?.scalars, [2, 4, 6], "the refused pass adds nothing")
        XCTAssertFalse(loss.isLeaf, "an output stays a non-leaf after its op is released")
    }

    func testANewLossThroughAReleasedIntermediateThrowsBeforeAnyGradientChanges() throws {
        let x = Tensor([0.5, -1], requiresGrad: true), w = Tensor([2, 3], requiresGrad: true)
        let hidden = x.exp()
        try hidden.sum().backward()
        let before = x.grad!.scalars
        XCTAssertThrowsError(try (hidden * w).sum().backward()) { error in
            XCTAssertEqual(error as? AutogradError, .graphReleased(op: "exp"))
        }
        XCTAssertEqual(x.grad?.scalars, before)
        XCTAssertNil(w.grad, "the check runs before the walk, so no leaf is touched")
    }

    func testRetainGraphAllowsAnotherPassAndGradientsAccumulate() throws {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let loss = (x * x).exp().sum()
        try loss.backward(retainGraph: true)
        let once = x.grad!.scalars
        try loss.backward(retainGraph: true)
        assertClose(x.grad!.scalars, once.map { 2 * $0 }, rtol: 1e-6, atol: 0, "second pass doubles, as in PyTorch")
        try loss.backward()
        assertClose(x.grad!.scalars, once.map { 3 * $0 }, rtol: 1e-6, atol: 0, "third pass releases the graph")
        XCTAssertThrowsError(try loss.backward()) { error in
            guard case .graphReleased = error as? AutogradError else { return XCTFail("\(error)") }
        }
    }

    func testSavedTensorChangedInPlaceThrowsNamingTheOpShapeAndVersions() throws {
        // Each case changes, in place, a tensor that the op saved for its gradient.
        let cases: [(op: String, change: (_ x: Tensor, _ w: Tensor, _ output: Tensor) -> Void,
                     forward: (_ x: Tensor, _ w: Tensor) -> Tensor, shape: [Int])] = [
            ("exp", { _, _, y in y.assign(Tensor(shape: [2, 3], scalars: Array(repeating: 0, count: 6))) },
             { x, _ in x.exp() }, [2, 3]),
            ("log", { x, _, _ in x[0, 1] = 7 }, { x, _ in x.log() }, [2, 3]),
            ("matmul", { _, w, _ in w.addInPlace(Tensor.ones([3, 4])) }, { x, w in x.matmul(w) }, [3, 4]),
            ("relu", { _, _, y in y.scaleInPlace(by: 2) }, { x, _ in x.relu() }, [2, 3]),
            ("multiply", { x, _, _ in x.slice(axis: 0, 0..<1).assign(Tensor.zeros([1, 3])) },
             { x, _ in x * x }, [2, 3]),
        ]
        for (op, change, forward, shape) in cases {
            let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
            let w = Tensor.ones([3, 4], requiresGrad: true)
            let output = forward(x, w)
            let loss = output.sum()
            change(x, w, output)
            XCTAssertThrowsError(try loss.backward(), op) { error in
                XCTAssertEqual(error as? AutogradError,
                               .savedTensorModified(op: op, shape: shape, version: 1, expected: 0), op)
                let message = "\(error)"
                XCTAssertTrue(message.contains("a tensor of shape \(shape.shapeText) needed for the gradient of \(op) "
                                               + "was modified in place: its version is 1, expected 0"), message)
            }
            XCTAssertNil(x.grad, "\(op): nothing is accumulated when the pass is refused")
            XCTAssertNil(w.grad, op)
        }
    }

    func testInPlaceChangeOfATensorNoOpSavedIsFine() throws {
        // add and sum save nothing: their gradients do not depend on the values.
        let x = Tensor([1, 2, 3], requiresGrad: true), shift = Tensor([10, 20, 30])
        let loss = (x + shift).sum()
        shift.assign(Tensor([0, 0, 0]))
        x.addInPlace(Tensor([1, 1, 1]))
        try loss.backward()
        XCTAssertEqual(x.grad?.scalars, [1, 1, 1])
    }

    func testCopyTakenByAnOpIsNotAffectedByChangesToTheOriginal() throws {
        // A transposed input is made dense for conv2d, so the op saved a copy, not the caller's buffer.
        let x = Tensor.ones([1, 1, 2, 2]).permuted([0, 1, 3, 2])
        let w = Tensor.ones([1, 1, 1, 1], requiresGrad: true)
        let loss = x.conv2d(w).sum()
        x.assign(Tensor.zeros([1, 1, 2, 2]))
        try loss.backward()
        XCTAssertEqual(w.grad?.scalars, [4], "the gradient uses the values the forward pass saw")
    }

    func testInPlaceOpsBumpTheVersionSharedByViews() {
        let base = Tensor.zeros([2, 3])
        let view = base.slice(axis: 0, 1..<2)
        XCTAssertEqual(base.version, 0)
        view.assign(Tensor.ones([1, 3]))
        base.addInPlace(Tensor.ones([2, 3]))
        base.scaleInPlace(by: 3)
        base[0, 0] = 5
        XCTAssertEqual(base.version, 4)
        XCTAssertEqual(view.version, 4, "views share their storage's version")
        XCTAssertEqual(base.detached().version, 4)
        XCTAssertEqual(base.copy().version, 0, "a copy has a storage of its own")
    }

    func testBatchNormBumpsItsRunningStatisticsInTrainingOnly() {
        let input = Tensor(shape: [4, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let gamma = Tensor.ones([2]), beta = Tensor.zeros([2]), mean = Tensor.zeros([2]), variance = Tensor.ones([2])
        _ = input.batchNorm2d(gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, training: true)
        XCTAssertEqual([mean.version, variance.version], [1, 1])
        _ = input.batchNorm2d(gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, training: false)
        XCTAssertEqual([mean.version, variance.version], [1, 1])
    }

    func testBackwardArgumentsThatCannotWorkAreRefusedWithTheShapes() throws {
        XCTAssertThrowsError(try Tensor([1, 2]).sum().backward()) { error in
            XCTAssertEqual(error as? AutogradError, .doesNotRequireGrad(shape: []))
        }
        let x = Tensor([1, 2], requiresGrad: true)
        XCTAssertThrowsError(try (x * 2).backward()) { error in
            XCTAssertEqual(error as? AutogradError, .nonScalarWithoutGradient(shape: [2]))
            XCTAssertTrue("\(error)".contains("(2)"), "\(error)")
        }
        XCTAssertThrowsError(try (x * 2).backward(gradient: Tensor([1, 2, 3]))) { error in
            XCTAssertEqual(error as? AutogradError, .gradientShapeMismatch(gradient: [3], tensor: [2]))
        }
        XCTAssertNil(x.grad)
    }

    func testSeedGradientIsNeverHandedToALeaf() throws {
        let x = Tensor([1, 2], requiresGrad: true)
        let seed = Tensor([3, 4])
        try x.reshaped([2]).backward(gradient: seed)
        x.grad!.scaleInPlace(by: 10)
        XCTAssertEqual(seed.scalars, [3, 4], "changing the gradient must not change the caller's seed")
    }

    func testGradModeIsPerThread() {
        /// What the other thread saw, written before it signals.
        final class Report: @unchecked Sendable {
            var enabledInside = true, recordedInside = true, enabledOnNewThread = false
        }
        let report = Report()
        let entered = DispatchSemaphore(value: 0), mayLeave = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let other = Thread {
            report.enabledOnNewThread = GradMode.isEnabled
            noGrad {
                let y = Tensor([1, 2], requiresGrad: true) * 2
                report.enabledInside = GradMode.isEnabled
                report.recordedInside = y.requiresGrad
                entered.signal()
                mayLeave.wait()  // stays inside noGrad while this thread records
            }
            done.signal()
        }
        other.start()
        entered.wait()
        XCTAssertTrue(GradMode.isEnabled, "noGrad on another thread leaves this one recording")
        let recorded = Tensor([1, 2], requiresGrad: true) * 2
        XCTAssertTrue(recorded.requiresGrad && !recorded.isLeaf)
        noGrad { XCTAssertFalse(GradMode.isEnabled) }
        mayLeave.signal()
        done.wait()
        XCTAssertTrue(report.enabledOnNewThread, "a new thread starts with recording on")
        XCTAssertFalse(report.enabledInside)
        XCTAssertFalse(report.recordedInside, "noGrad still turns recording off on its own thread")
        XCTAssertTrue(GradMode.isEnabled)
    }

    func testSavedTensorsAreReleasedAsBackwardWalks() throws {
        // The probe op sits at the bottom of the graph, so its backward runs last: by then the exp ops
        // above it must have dropped the outputs they saved, though the loss is still alive.
        weak var firstSaved: TensorStorage?, secondSaved: TensorStorage?
        var freedBeforeLastOp: Bool?
        let x = Tensor([0.1, 0.2, 0.3], requiresGrad: true)
        let loss: Tensor = {
            let probe = x.detached()
            probe.record("probe", [x]) { grad in
                freedBeforeLastOp = firstSaved == nil && secondSaved == nil
                return [grad]
            }
            let first = probe.exp(), second = first.exp()
            firstSaved = first.storage
            secondSaved = second.storage
            return second.sum()
        }()
        XCTAssertNotNil(firstSaved, "the graph holds the outputs its ops saved")
        try loss.backward(retainGraph: true)
        XCTAssertEqual(freedBeforeLastOp, false, "a retained graph keeps what its ops saved")
        XCTAssertNotNil(secondSaved)
        try loss.backward()
        XCTAssertEqual(freedBeforeLastOp, true)
        XCTAssertNil(firstSaved)
        XCTAssertNil(secondSaved)
        withExtendedLifetime(loss) {}
    }

    func testVeryDeepGraphBackwardAndFreeWithoutRecursion() throws {
        let depth = 100_000
        let x = Tensor([1], requiresGrad: true)
        weak var root: Tensor?
        do {
            // Freed without a backward pass: the chain's deinit must not recurse.
            var y = x
            for step in 0..<depth { y = step % 2 == 0 ? y * 1.00001 : y + 0 }
            root = y
        }
        XCTAssertNil(root, "the whole chain was freed")
        do {
            var y = x
            for step in 0..<depth { y = step % 2 == 0 ? y * 1.00001 : y + 0 }
            try y.sum().backward()
            root = y
        }
        XCTAssertNil(root)
        XCTAssertEqual(x.grad!.scalar, Float(pow(1.00001, Double(depth / 2))), accuracy: 1e-2)
    }
}
