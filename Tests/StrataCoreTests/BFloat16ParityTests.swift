import Foundation
import StrataCore
import StrataTestSupport
import XCTest

/// Strata's bfloat16 convolution, linear map and matrix product against PyTorch's CPU autocast
/// (Fixtures/bf16_autocast.json, written by scripts/make-bf16-reference.py), outputs and gradients.
///
/// Autocast rounds its outputs and gradients (and the bias) to bfloat16 where Strata keeps them
/// Float32, so they agree within bfloat16 rounding: 2⁻⁶ of each value plus 2⁻⁸ of the tensor's largest.
final class BFloat16ParityTests: XCTestCase {
    func testEveryCaseMatchesAutocast() throws {
        let fixture = try ReferenceFixture.load("bf16_autocast", in: Bundle.module)
        XCTAssertEqual(Set(fixture.cases.map(\.op)), ["conv2d", "linear", "matmul"])
        for c in fixture.cases {
            let inputs: [String]
            switch c.op {
            case "conv2d", "linear": inputs = ["input", "weight", "bias"]
            case "matmul": inputs = ["input", "other"]
            default: throw ReferenceFixtureError("\(c.name): unknown op \(c.op)")
            }
            var leaves: [String: Tensor] = [:]
            for name in inputs { leaves[name] = try c.tensor(name, requiresGrad: true) }
            let output = try Precision.with(.bfloat16) { () throws -> Tensor in
                switch c.op {
                case "conv2d":
                    return leaves["input"]!.conv2d(leaves["weight"]!, bias: leaves["bias"]!, stride: try c.pair("stride"),
                                                   padding: try c.pair("padding"))
                case "linear":
                    // PyTorch's weight is (out, in); Strata's linear takes (in, out): the transposed view.
                    return leaves["input"]!.linear(weight: leaves["weight"]!.transposed(), bias: leaves["bias"]!)
                default:
                    return leaves["input"]!.matmul(leaves["other"]!)
                }
            }
            try output.backward(gradient: try c.tensor("probe"))
            let checked = [("output", output)] + inputs.map { ("grad_" + $0, leaves[$0]!.grad!) }
            for (key, actual) in checked {
                let expected = try c.tensor(key)
                let largest = expected.scalars.map { Swift.abs($0) }.max() ?? 0
                assertClose(actual, expected, rtol: 0x1p-6, atol: 0x1p-8 * largest, "\(c.name): \(key)")
            }
        }
    }
}
