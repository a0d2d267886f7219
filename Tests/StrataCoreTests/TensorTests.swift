import StrataCore
import StrataTestSupport
import XCTest

final class TensorTests: XCTestCase {
    func testCreation() {
        XCTAssertEqual(Tensor.zeros([2, 3]).scalars, [Float](repeating: 0, count: 6))
        XCTAssertEqual(Tensor.ones([2]).scalars, [1, 1])
        XCTAssertEqual(Tensor.full([2, 2], value: 7).scalars, [7, 7, 7, 7])
        XCTAssertEqual(Tensor.arange(0, 5).scalars, [0, 1, 2, 3, 4])
        XCTAssertEqual(Tensor.arange(1, 2, step: 0.25).scalars, [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(Tensor([[1, 2], [3, 4]])[1, 0], 3)
        XCTAssertEqual(Tensor(5).shape, [])
    }

    func testSeededRandomIsReproducibleAndHasTheRightMoments() {
        let a = Tensor.randomNormal([10_000], mean: 2, standardDeviation: 3, seed: 42)
        let b = Tensor.randomNormal([10_000], mean: 2, standardDeviation: 3, seed: 42)
        XCTAssertEqual(a.scalars, b.scalars)
        XCTAssertEqual(a.mean().scalar, 2, accuracy: 0.1)
        XCTAssertEqual(a.variance().scalar.squareRoot(), 3, accuracy: 0.1)
        let u = Tensor.randomUniform([10_000], lower: -1, upper: 3, seed: 1)
        XCTAssertGreaterThanOrEqual(u.min().scalar, -1)
        XCTAssertLessThan(u.max().scalar, 3)
        XCTAssertEqual(u.mean().scalar, 1, accuracy: 0.05)
        XCTAssertNotEqual(Tensor.randomNormal([5], seed: 1).scalars, Tensor.randomNormal([5], seed: 2).scalars)
    }

    /// A generator rebuilt from `state` continues the same sequence, a pending Box–Muller normal
    /// included; malformed states are refused.
    func testGeneratorStateRoundTripsMidSequence() {
        var generator = RandomGenerator(seed: 9)
        _ = generator.nextUniform()
        _ = generator.nextNormal()   // leaves the pair's second value pending
        var copy = RandomGenerator(state: generator.state)!
        XCTAssertEqual(generator.state[4] >> 32, 1, "a normal value is pending")
        for _ in 0..<5 {
            XCTAssertEqual(copy.nextNormal().bitPattern, generator.nextNormal().bitPattern)
            XCTAssertEqual(copy.next(), generator.next())
        }
        XCTAssertNil(RandomGenerator(state: [1, 2, 3]))
        XCTAssertNil(RandomGenerator(state: [0, 0, 0, 0, 0]))
        XCTAssertNil(RandomGenerator(state: [1, 2, 3, 4, 5]), "a fifth word must be 0 or 2^32 + bits")
    }

    func testInitializersUseKerasLimits() {
        var generator = RandomGenerator(seed: 3)
        let glorot = Tensor.glorotUniform([784, 128], generator: &generator)
        let limit = (6.0 / Float(784 + 128)).squareRoot()
        XCTAssertLessThanOrEqual(glorot.abs().max().scalar, limit)
        XCTAssertGreaterThan(glorot.abs().max().scalar, limit * 0.99)
        let he = Tensor.heNormal([32, 16, 3, 3], generator: &generator)
        let heStd = (2.0 / Float(16 * 9)).squareRoot()
        XCTAssertEqual(he.variance().scalar.squareRoot(), heStd, accuracy: heStd * 0.05)
        XCTAssertEqual(Tensor.fans(ofWeightShape: [32, 16, 3, 3]).fanIn, 144)
        XCTAssertEqual(Tensor.fans(ofWeightShape: [32, 16, 3, 3]).fanOut, 288)
    }

    func testReshapeTransposeAndViews() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(x.reshaped([3, -1]).shape, [3, 2])
        XCTAssertTrue(x.reshaped([3, 2]).storage === x.storage, "reshape of a dense tensor is a view")
        let t = x.transposed()
        XCTAssertEqual(t.shape, [3, 2])
        XCTAssertFalse(t.isContiguous)
        XCTAssertEqual(t.scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(x.permuted([1, 0]).scalars, t.scalars)
        XCTAssertEqual(t.reshaped([6]).scalars, [1, 4, 2, 5, 3, 6])
    }

    func testSliceConcatenateStackGather() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(x.slice(axis: 1, 1..<3).scalars, [2, 3, 5, 6])
        XCTAssertEqual(Tensor.concatenate([x, x.slice(axis: 1, 0..<1)], axis: 1).scalars, [1, 2, 3, 1, 4, 5, 6, 4])
        XCTAssertEqual(Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], axis: 1).scalars, [1, 3, 2, 4])
        let table = Tensor(shape: [3, 2], scalars: [0, 1, 10, 11, 20, 21])
        XCTAssertEqual(table.gather([2, 0, 2]).scalars, [20, 21, 0, 1, 20, 21])
        XCTAssertEqual(table.gather(Tensor(shape: [2, 1], scalars: [1, 0])).shape, [2, 1, 2])
    }

    func testComparisonsWhereAndClamp() {
        let a = Tensor([1, 2, 3]), b = Tensor([2, 2, 2])
        XCTAssertEqual(a.isGreater(b).scalars, [0, 0, 1])
        XCTAssertEqual(a.isGreaterOrEqual(b).scalars, [0, 1, 1])
        XCTAssertEqual(a.isLess(b).scalars, [1, 0, 0])
        XCTAssertEqual(a.isEqual(2).scalars, [0, 1, 0])
        XCTAssertEqual(Tensor.where(a.isGreater(b), a, Tensor(0)).scalars, [0, 0, 3])
        XCTAssertEqual(Tensor([-2, 0.5, 9]).clamped(min: 0, max: 1).scalars, [0, 0.5, 1])
    }

    func testReductionsAndArgmax() {
        let x = Tensor(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        XCTAssertEqual(x.sum().scalar, 21)
        XCTAssertEqual(x.sum(axis: 0).scalars, [5, 7, 9])
        XCTAssertEqual(x.mean(axis: 1, keepingDimensions: true).shape, [2, 1])
        XCTAssertEqual(x.max(alongAxes: [1]).scalars, [5, 6])
        XCTAssertEqual(x.min(alongAxes: [0]).scalars, [1, 2, 3])
        XCTAssertEqual(x.argmax(axis: 1).scalars, [1, 2])
        XCTAssertEqual(x.argmax(axis: 0).scalars, [1, 0, 1])
        XCTAssertEqual(x.argmaxIndices(), [1, 2])
        XCTAssertEqual(Tensor([1, 2, 3, 4]).variance().scalar, 1.25)
        XCTAssertEqual(Tensor([1, 2, 3, 4]).variance(unbiased: true).scalar, 5.0 / 3.0, accuracy: 1e-6)
    }

    func testUnaryValues() {
        let x = Tensor([-1, 0, 2])
        XCTAssertEqual(x.relu().scalars, [0, 0, 2])
        XCTAssertEqual(x.leakyRelu(negativeSlope: 0.1).scalars, [-0.1, 0, 2])
        assertClose(x.elu().scalars, [Float(exp(-1.0) - 1), 0, 2])
        assertClose(x.sigmoid().scalars, [Float(1 / (1 + exp(1.0))), 0.5, Float(1 / (1 + exp(-2.0)))])
        assertClose(x.gelu().scalars, [-0.158_655_25, 0, 1.954_499_7])
        XCTAssertEqual(Tensor([4, 9]).sqrt().scalars, [2, 3])
        XCTAssertEqual(Tensor([2, 3]).pow(3).scalars, [8, 27])
    }

    func testLossValues() {
        let logits = Tensor([[2, 0], [0, 2]])
        let expected = Float(-log(exp(2.0) / (exp(2.0) + 1)))
        XCTAssertEqual(Tensor.softmaxCrossEntropy(logits: logits, labels: [0, 1]).scalar, expected, accuracy: 1e-6)
        XCTAssertEqual(Tensor.softmaxCrossEntropy(logits: logits, probabilities: Tensor([[1, 0], [0, 1]])).scalar,
                       expected, accuracy: 1e-6)
        let huge = Tensor([[1000, -1000]])
        XCTAssertEqual(Tensor.softmaxCrossEntropy(logits: huge, labels: [1]).scalar, 2000, accuracy: 1e-2,
                       "a confident wrong answer gives a finite, large loss")
        XCTAssertEqual(Tensor.binaryCrossEntropy(logits: Tensor([0]), targets: Tensor([1])).scalar,
                       Float(log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(Tensor.binaryCrossEntropy(logits: Tensor([100]), targets: Tensor([0])).scalar, 100, accuracy: 1e-4)
        XCTAssertEqual(Tensor.meanSquaredError(predictions: Tensor([1, 2]), targets: Tensor([3, 2])).scalar, 2)
    }

    func testDropoutIsSeededAndScales() {
        var g1 = RandomGenerator(seed: 5), g2 = RandomGenerator(seed: 5)
        let x = Tensor.ones([10_000])
        let a = x.dropout(rate: 0.25, generator: &g1), b = x.dropout(rate: 0.25, generator: &g2)
        XCTAssertEqual(a.scalars, b.scalars)
        let kept = a.scalars.filter { $0 != 0 }
        XCTAssertEqual(Float(kept.count) / 10_000, 0.75, accuracy: 0.02)
        XCTAssertTrue(kept.allSatisfy { abs($0 - 4.0 / 3.0) < 1e-6 })
    }
}
