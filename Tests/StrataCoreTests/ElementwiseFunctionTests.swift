@testable import StrataCore
import Foundation
import XCTest

/// Every elementwise function type `MapKernel` runs: its SIMD form gives the scalar form's bits, and
/// the map over a tensor (one thread, or split over threads, with tails shorter than a vector) equals
/// the scalar form applied element by element.
final class ElementwiseFunctionTests: XCTestCase {
    /// Values where the forms could part: NaN, infinities, signed zeros, subnormals, extremes, the
    /// points where the functions switch branches, and values past exp's overflow.
    static let special: [Float] = [
        .nan, -.nan, .infinity, -.infinity, 0, -0.0, 1, -1, 0.5, -0.5, 2, -2, 0.6, -0.6,
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude,
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-8, -1e-8, 88.8, -88.8, 104, -104,
    ]

    /// `count` values: the special ones, then normal samples with standard deviation 4.
    func values(_ count: Int, seed: UInt64) -> [Float] {
        let samples = Tensor.randomNormal([count], standardDeviation: 4, seed: seed).scalars
        return Array((Self.special + samples).prefix(count))
    }

    /// True when both are NaN or both have the same bits.
    func same(_ a: Float, _ b: Float) -> Bool { (a.isNaN && b.isNaN) || a.bitPattern == b.bitPattern }

    func assertUnary<F: UnaryFunction>(_ f: F, _ name: String, line: UInt = #line) {
        for count in [5, 1_003, 300_007] {
            let input = values(count, seed: UInt64(count))
            let result = MapKernel.unary(Tensor(input), f).scalars
            let mismatch = input.indices.first { !same(result[$0], f.scalar(input[$0])) }
            XCTAssertNil(mismatch, "\(name) of \(count) values: at \(mismatch.map { "\(input[$0])" } ?? "")",
                         line: line)
        }
    }

    func assertBinary<F: BinaryFunction>(_ f: F, _ name: String, line: UInt = #line) {
        // Every pair of special values, then random pairs.
        let pairs = Self.special.flatMap { a in Self.special.map { b in (a, b) } }
        for count in [5, 1_003, 300_007] {
            let a = pairs.map(\.0) + values(count, seed: UInt64(count))
            let b = pairs.map(\.1) + values(count, seed: UInt64(count) + 7).reversed()
            let result = MapKernel.binary(Tensor(a), Tensor(b), op: "test", f).scalars
            let mismatch = a.indices.first { !same(result[$0], f.scalar(a[$0], b[$0])) }
            XCTAssertNil(mismatch, "\(name) over \(a.count) pairs: at \(mismatch.map { "(\(a[$0]), \(b[$0]))" } ?? "")",
                         line: line)
        }
    }

    func testActivationsMatchTheirScalarForms() {
        assertUnary(ReLUFunction(), "relu")
        assertBinary(ReLUGradientFunction(), "relu backward")
        assertUnary(LeakyReLUFunction(slope: 0.01), "leakyRelu")
        assertBinary(LeakyReLUGradientFunction(slope: 0.2), "leakyRelu backward")
        assertUnary(ELUFunction(alpha: 1.5), "elu")
        assertBinary(ELUSlopeFunction(alpha: 1.5), "elu backward")
        assertUnary(GELUFunction(), "gelu")
        assertBinary(GELUGradientFunction(), "gelu backward")
        assertUnary(TanhFunction(), "tanh")
        assertBinary(TanhGradientFunction(), "tanh backward")
        assertUnary(SigmoidFunction(), "sigmoid")
        assertBinary(SigmoidGradientFunction(), "sigmoid backward")
        assertBinary(SigmoidCrossEntropyGradientFunction(scale: 0.25), "binaryCrossEntropy backward")
    }

    func testMathFunctionsMatchTheirScalarForms() {
        assertUnary(NegateFunction(), "negate")
        assertUnary(ExpFunction(), "exp")
        assertUnary(LogFunction(), "log")
        assertUnary(SquareRootFunction(), "sqrt")
        assertBinary(SquareRootGradientFunction(), "sqrt backward")
        assertUnary(SquareFunction(), "square")
        assertBinary(SquareGradientFunction(), "square backward")
        assertUnary(PowerFunction(exponent: 3), "pow")
        assertBinary(PowerGradientFunction(exponent: 0.5), "pow backward")
        assertUnary(AbsoluteFunction(), "abs")
        assertBinary(AbsoluteGradientFunction(), "abs backward")
        assertUnary(ClampFunction(lower: -0.5, upper: 0.6), "clamp")
        assertUnary(ClampFunction(lower: 0, upper: .infinity), "clamp at 0")
        assertBinary(ClampGradientFunction(lower: -0.5, upper: 0.6), "clamp backward")
    }

    func testArithmeticMatchesItsScalarForms() {
        assertBinary(AddFunction(), "add")
        assertBinary(SubtractFunction(), "subtract")
        assertBinary(MultiplyFunction(), "multiply")
        assertBinary(DivideFunction(), "divide")
        assertBinary(MaximumFunction(), "maximum")
        assertBinary(MinimumFunction(), "minimum")
        assertBinary(GreaterFunction(), "greater")
        assertBinary(GreaterOrEqualFunction(), "greaterOrEqual")
        assertBinary(EqualFunction(), "equal")
    }

    /// The scalar forms are the formulas the ops document, checked on values computed by hand.
    func testScalarFormsOnHandComputedValues() {
        XCTAssertEqual(LeakyReLUFunction(slope: 0.1).scalar(-2), -0.2, accuracy: 1e-7)
        XCTAssertEqual(LeakyReLUGradientFunction(slope: 0.1).scalar(3, -1), 0.3, accuracy: 1e-7)
        XCTAssertEqual(ELUFunction(alpha: 2).scalar(-1), 2 * (Foundation.exp(-1) - 1), accuracy: 1e-6)
        XCTAssertEqual(ELUFunction(alpha: 2).scalar(1.5), 1.5)
        XCTAssertEqual(ELUSlopeFunction(alpha: 2).scalar(-1, -1.2), 0.8, accuracy: 1e-6)
        XCTAssertEqual(GELUFunction().scalar(1), 0.841_344_7, accuracy: 1e-6)
        XCTAssertEqual(GELUGradientFunction().scalar(1, 1), 1.083_315_5, accuracy: 1e-6)
        XCTAssertEqual(AbsoluteFunction().scalar(-0.0).bitPattern, Float(0).bitPattern)
        XCTAssertEqual(AbsoluteGradientFunction().scalar(2, -3), -2)
        XCTAssertEqual(AbsoluteGradientFunction().scalar(2, 0), 0)
        XCTAssertEqual(ClampFunction(lower: -1, upper: 1).scalar(5), 1)
        XCTAssertEqual(ClampGradientFunction(lower: -1, upper: 1).scalar(4, 1), 4)
        XCTAssertEqual(ClampGradientFunction(lower: -1, upper: 1).scalar(4, 1.01), 0)
        XCTAssertEqual(SigmoidCrossEntropyGradientFunction(scale: 0.5).scalar(0, 1), -0.25)
    }

    /// libmvec's exp, tanh and erf (through `VectorMath`) against Double-precision libm: within 4 ulp
    /// (4.5 allowed for the measure's own rounding; erf reaches 4.0 with AVX-512) over a dense sweep, exact on the special values, whatever the array length.
    func testVectorMathIsWithinFourUlpOfDoublePrecision() {
        let sweep = stride(from: -12.0, through: 12.0, by: 0.000_37).map { Float($0) }
        let values = sweep + [0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, 88, -87, -103]
        let functions: [(String, (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, (Double) -> Double)] = [
            ("exp", { VectorMath.exp($0, $1, count: $2) }, { Foundation.exp($0) }),
            ("tanh", { VectorMath.tanh($0, $1, count: $2) }, { Foundation.tanh($0) }),
            ("erf", { VectorMath.erf($0, $1, count: $2) }, { Foundation.erf($0) }),
        ]
        for (name, vectorized, exact) in functions {
            var results = [Float](repeating: .nan, count: values.count)
            values.withUnsafeBufferPointer { x in
                results.withUnsafeMutableBufferPointer { vectorized(x.baseAddress!, $0.baseAddress!, values.count) }
            }
            var worst: (ulps: Double, at: Float) = (0, 0)
            for (x, y) in zip(values, results) {
                let reference = exact(Double(x))
                let ulp = Double(Float(reference).ulp == 0 ? Float.leastNonzeroMagnitude : Float(reference).ulp)
                let ulps = Swift.abs(Double(y) - reference) / ulp
                if ulps > worst.ulps { worst = (ulps, x) }
            }
            if ProcessInfo.processInfo.environment["STRATA_PRINT_ULPS"] != nil {
                print("\(name): worst \(worst.ulps) ulp at \(worst.at), vector math level \(VectorMath.level)")
            }
            XCTAssertLessThanOrEqual(worst.ulps, 4.5, "\(name): \(worst.ulps) ulp at \(worst.at) (vector math level \(VectorMath.level))")
            // Special values, one at a time (the tail path) and within a longer array.
            let special: [Float] = [.nan, .infinity, -.infinity, 0, -0.0]
            for length in [1, 5, 21] {
                for value in special {
                    var input = [Float](repeating: 0.25, count: length), output = [Float](repeating: 0, count: length)
                    input[length - 1] = value
                    input.withUnsafeBufferPointer { x in
                        output.withUnsafeMutableBufferPointer { vectorized(x.baseAddress!, $0.baseAddress!, length) }
                    }
                    let expected = Float(exact(Double(value)))
                    XCTAssertTrue(same(output[length - 1], expected), "\(name)(\(value)) = \(output[length - 1]), not \(expected)")
                }
            }
        }
    }

    /// The C activations (sigmoid, ELU, GELU and its backward) give the bits of their formulas
    /// written out in Swift over `VectorMath`'s exp and erf: no fused multiply-add or reordering in
    /// whichever variant (AVX-512, AVX2, baseline) runs.
    func testCActivationsFollowTheirFormulasBitForBit() {
        func exp(_ x: Float) -> Float { var input = x, output: Float = 0; VectorMath.exp(&input, &output, count: 1); return output }
        func erf(_ x: Float) -> Float { var input = x, output: Float = 0; VectorMath.erf(&input, &output, count: 1); return output }
        let c = Float(0.5).squareRoot(), root2pi = Float(2 * Float.pi).squareRoot()
        let xs = values(3_000, seed: 8), gs = values(3_000, seed: 9).reversed().map { $0 }
        let sigmoid = MapKernel.unary(Tensor(xs), SigmoidFunction()).scalars
        let elu = MapKernel.unary(Tensor(xs), ELUFunction(alpha: 1.5)).scalars
        let gelu = MapKernel.unary(Tensor(xs), GELUFunction()).scalars
        let geluBackward = MapKernel.binary(Tensor(gs), Tensor(xs), op: "test", GELUGradientFunction()).scalars
        for (i, x) in xs.enumerated() {
            let e = exp(-Swift.abs(x)), d = 1 + e
            XCTAssertTrue(same(sigmoid[i], x >= 0 ? 1 / d : e / d), "sigmoid(\(x))")
            let negative = 1.5 * (exp(x) - 1)
            XCTAssertTrue(same(elu[i], x > 0 ? x : negative), "elu(\(x))")
            XCTAssertTrue(same(gelu[i], 0.5 * x * (1 + erf(x * c))), "gelu(\(x))")
            let cdf = 0.5 * (1 + erf(x * c)), pdf = exp(-0.5 * x * x) / root2pi
            XCTAssertTrue(same(geluBackward[i], gs[i] * (cdf + x * pdf)), "gelu backward(\(gs[i]), \(x))")
        }
    }

    /// The branch-free sigmoid gives the bits of the two-branch formula it replaced, over all signs,
    /// large magnitudes and NaN.
    func testSigmoidEqualsTheTwoBranchFormula() {
        for x in values(100_000, seed: 3) + [30, -30, 90, -90, 200, -200] {
            let expected: Float
            if x >= 0 { expected = 1 / (1 + Foundation.exp(-x)) } else { expected = Foundation.exp(x) / (1 + Foundation.exp(x)) }
            XCTAssertTrue(same(Tensor.sigmoid(x), expected), "sigmoid(\(x)): \(Tensor.sigmoid(x)) vs \(expected)")
        }
    }
}
