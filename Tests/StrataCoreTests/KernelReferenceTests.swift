@testable import StrataCore
import StrataTestSupport
import XCTest

/// Each fast kernel against a plain loop that computes the same thing in Double.
final class KernelReferenceTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        Tensor.randomNormal(shape, seed: seed)
    }

    /// The broadcast result computed one output element at a time from multi-indices.
    func referenceBroadcast(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let shape = Broadcast.shape(a.shape, b.shape, op: "reference")
        let result = Tensor.zeros(shape)
        let strides = Tensor.contiguousStrides(for: shape)
        func element(_ t: Tensor, _ index: [Int]) -> Float {
            let lead = index.count - t.rank
            var offset = t.offset
            for axis in 0..<t.rank where t.shape[axis] != 1 { offset += index[lead + axis] * t.strides[axis] }
            return t.storage.pointer[offset]
        }
        for flat in 0..<result.count {
            let index = strides.enumerated().map { (axis, step) in (flat / step) % shape[axis] }
            result.pointer[flat] = f(element(a, index), element(b, index))
        }
        return result
    }

    func testBinaryKernelMatchesReferenceOnEveryBroadcastPattern() {
        let patterns: [([Int], [Int])] = [
            ([37], [37]), ([5, 7], [7]), ([5, 7], [5, 1]), ([4, 3, 9, 9], [1, 3, 1, 1]),
            ([2, 1, 5], [3, 1]), ([], [6]), ([6], []), ([3, 1000], [3, 1000]), ([1, 5], [4, 1]),
        ]
        for (i, (shapeA, shapeB)) in patterns.enumerated() {
            let a = random(shapeA, seed: UInt64(i)), b = random(shapeB, seed: UInt64(50 + i))
            assertClose(a + b, referenceBroadcast(a, b, +), "add \(shapeA) \(shapeB)")
            assertClose(a * b, referenceBroadcast(a, b, *), "multiply \(shapeA) \(shapeB)")
            assertClose(a - b, referenceBroadcast(a, b, -), "subtract \(shapeA) \(shapeB)")
            assertClose(Tensor.maximum(a, b), referenceBroadcast(a, b, { Swift.max($0, $1) }), "max \(shapeA) \(shapeB)")
        }
    }

    func testBinaryKernelReadsStridedViews() {
        let a = random([4, 6], seed: 1).transposed()   // (6, 4), column-major view
        let b = random([6, 4], seed: 2)
        assertClose(a + b, referenceBroadcast(a, b, +))
        let sliced = random([5, 8], seed: 3).slice(axis: 1, 2..<6)
        assertClose(sliced * sliced, referenceBroadcast(sliced, sliced, *))
    }

    func testLargeElementwiseRunsInParallelAndMatches() {
        let a = random([300_001], seed: 4), b = random([300_001], seed: 5)
        assertClose(a / b, referenceBroadcast(a, b, /))
    }

    func testReductionMatchesReferenceOnEveryAxisSet() {
        let x = random([3, 4, 5, 6], seed: 6)
        let axisSets: [[Int]] = [[0], [1], [2], [3], [0, 1], [1, 3], [0, 2], [0, 3], [1, 2, 3], [0, 1, 2, 3]]
        for axes in axisSets {
            var outShape = x.shape
            for axis in axes { outShape[axis] = 1 }
            var sums = [Double](repeating: 0, count: outShape.reduce(1, *))
            var maxima = [Float](repeating: -.infinity, count: sums.count)
            let outStrides = Tensor.contiguousStrides(for: outShape)
            for flat in 0..<x.count {
                let index = Tensor.contiguousStrides(for: x.shape).enumerated().map { ($0.offset, (flat / $0.element) % x.shape[$0.offset]) }
                var o = 0
                for (axis, i) in index where !axes.contains(axis) { o += i * outStrides[axis] }
                sums[o] += Double(x.pointer[flat])
                maxima[o] = Swift.max(maxima[o], x.pointer[flat])
            }
            assertClose(x.sum(alongAxes: axes, keepingDimensions: true).scalars, sums.map { Float($0) },
                        rtol: 1e-5, atol: 1e-5, "sum over \(axes)")
            assertClose(x.max(alongAxes: axes, keepingDimensions: true).scalars, maxima, "max over \(axes)")
        }
    }

    func testGemmMatchesTripleLoopForEveryTransposeCombination() {
        let saved = GemmLibrary.current
        defer { GemmLibrary.current = saved }
        for library in GemmLibrary.allCases {
            GemmLibrary.current = library
            checkGemm(library)
        }
    }

    func checkGemm(_ library: GemmLibrary) {
        for (m, k, n) in [(1, 1, 1), (7, 5, 3), (33, 17, 65), (64, 128, 32), (1792, 28, 28), (64, 784, 10)] {
            let a = random([m, k], seed: 7), b = random([k, n], seed: 8)
            let expected = Gemm.reference(a, b)
            assertClose(a.matmul(b), expected, rtol: 1e-4, atol: 1e-4, "\(library) NN \(m)x\(k)x\(n)")
            let aT = a.transposed().contiguous().transposed(), bT = b.transposed().contiguous().transposed()
            assertClose(aT.matmul(b), expected, rtol: 1e-4, atol: 1e-4, "TN \(m)x\(k)x\(n)")
            assertClose(a.matmul(bT), expected, rtol: 1e-4, atol: 1e-4, "NT \(m)x\(k)x\(n)")
            assertClose(aT.matmul(bT), expected, rtol: 1e-4, atol: 1e-4, "TT \(m)x\(k)x\(n)")
        }
    }

    func testBatchedMatmulMatchesPerBatchProducts() {
        let a = random([3, 4, 5], seed: 9), b = random([3, 5, 2], seed: 10)
        let product = a.matmul(b)
        for i in 0..<3 {
            let expected = Gemm.reference(a.slice(axis: 0, i..<(i + 1)).reshaped([4, 5]),
                                          b.slice(axis: 0, i..<(i + 1)).reshaped([5, 2]))
            assertClose(product.slice(axis: 0, i..<(i + 1)).reshaped([4, 2]), expected, rtol: 1e-4, atol: 1e-5)
        }
    }

    func testLinearEqualsMatmulPlusBias() {
        let x = random([6, 5], seed: 11), w = random([5, 4], seed: 12), b = random([4], seed: 13)
        assertClose(x.linear(weight: w, bias: b), Gemm.reference(x, w) + b, rtol: 1e-4, atol: 1e-5)
    }

    /// `linear(relu: true)` gives what `.relu()` after `linear` gives, values and gradients, with and
    /// without bias, on widths with and without a SIMD tail, and on a 3-D input.
    func testFusedLinearReLUMatchesLinearThenReLU() throws {
        for (inputShape, units) in [([6, 5], 4), ([7, 10], 60), ([2, 3, 17], 19)] {
            for withBias in [true, false] {
                let label = "input \(inputShape) units \(units) bias \(withBias)"
                let gradOutput = random(Array(inputShape.dropLast()) + [units], seed: 19)
                func run(fused: Bool) throws -> [Tensor] {
                    let x = random(inputShape, seed: 15), w = random([inputShape.last!, units], seed: 16)
                    let b = random([units], seed: 17)
                    for t in [x, w, b] { t.requiresGrad = true }
                    let bias = withBias ? b : nil
                    let y = fused ? x.linear(weight: w, bias: bias, relu: true) : x.linear(weight: w, bias: bias).relu()
                    try y.backward(gradient: gradOutput)
                    return [y, x.grad!, w.grad!] + (withBias ? [b.grad!] : [])
                }
                let fused = try run(fused: true), separate = try run(fused: false)
                XCTAssertTrue(fused[0].scalars.contains(0) && fused[0].scalars.contains { $0 > 0 }, label)
                for (index, pair) in zip(fused, separate).enumerated() {
                    assertClose(pair.0, pair.1, rtol: 1e-5, atol: 1e-6, "\(label) tensor \(index)")
                }
            }
        }
    }

    func testSoftmaxMatchesDoublePrecisionReference() {
        let x = random([4, 9], seed: 14) * 20   // large logits: stability matters
        let y = x.softmax(), logY = x.logSoftmax()
        for r in 0..<4 {
            let row = (0..<9).map { Double(x[r, $0]) }
            let top = row.max()!
            let total = row.map { exp($0 - top) }.reduce(0, +)
            for j in 0..<9 {
                XCTAssertEqual(y[r, j], Float(exp(row[j] - top) / total), accuracy: 1e-6)
                XCTAssertEqual(logY[r, j], Float(row[j] - top - log(total)), accuracy: 1e-4)
            }
        }
    }

    func testStridedCopyMatchesElementAccess() {
        let x = random([3, 4, 5], seed: 15).permuted([2, 0, 1])
        let dense = x.contiguous()
        for i in 0..<5 { for j in 0..<3 { for k in 0..<4 { XCTAssertEqual(dense[i, j, k], x[i, j, k]) } } }
    }

    /// The vectorized ReLU and its backward against plain scalar loops: on one thread and split over
    /// threads, with tails shorter than a SIMD vector, NaN, infinities and signed zeros.
    func testReLUKernelsMatchScalarLoops() {
        for count in [5, 1_003, 300_007] {
            var values = random([count], seed: UInt64(count)).scalars
            values[0] = .nan
            values[1] = -.infinity
            values[2] = .infinity
            values[3] = -0.0
            let x = Tensor(values)
            let gradient = random([count], seed: UInt64(count) + 1)
            let y = MapKernel.unary(x, ReLUFunction())
            let expected = values.map { $0 > 0 ? $0 : 0 }
            XCTAssertEqual(y.scalars.map(\.bitPattern), expected.map(\.bitPattern), "relu of \(count)")
            let backward = MapKernel.binary(gradient, y, op: "relu backward", ReLUGradientFunction())
            let expectedBackward = zip(gradient.scalars, expected).map { $1 > 0 ? $0 : 0 }
            XCTAssertEqual(backward.scalars.map(\.bitPattern), expectedBackward.map(\.bitPattern), "relu backward of \(count)")
        }
    }

    /// NaN in either operand makes `maximum` and `minimum` NaN, and NaN anywhere in a reduced group
    /// makes `max` and `min` NaN (as PyTorch), in the vectorized lanes and in the tails alike.
    func testMaxAndMinPropagateNaN() {
        for position in [0, 5, 17, 18] {  // in the first vector, and in the tail of 19 values
            var values = random([19], seed: 40).scalars
            values[position] = .nan
            let x = Tensor(values), other = random([19], seed: 41)
            for (name, result) in [("maximum", Tensor.maximum(x, other)), ("minimum", Tensor.minimum(x, other)),
                                   ("maximum swapped", Tensor.maximum(other, x)),
                                   ("minimum swapped", Tensor.minimum(other, x))] {
                XCTAssertTrue(result.scalars[position].isNaN, "\(name) at \(position)")
                XCTAssertEqual(result.scalars.filter(\.isNaN).count, 1, "\(name) at \(position)")
            }
            XCTAssertTrue(x.max().scalar.isNaN, "max with NaN at \(position)")
            XCTAssertTrue(x.min().scalar.isNaN, "min with NaN at \(position)")
            let rows = Tensor(shape: [2, 19], scalars: values + values.map { $0.isNaN ? 0 : $0 })
            let rowMaxima = rows.max(alongAxes: [1]).scalars, columnMinima = rows.min(alongAxes: [0]).scalars
            XCTAssertTrue(rowMaxima[0].isNaN && !rowMaxima[1].isNaN, "row maxima \(rowMaxima)")
            XCTAssertEqual(columnMinima.indices.filter { columnMinima[$0].isNaN }, [position])
        }
    }
}
