import Foundation
import StrataCore
import StrataTestSupport
import XCTest

/// Strata against PyTorch: every case in Fixtures/*.json (written by scripts/make-reference.py) is
/// recomputed here and its output and the gradients of every input must match PyTorch's.
///
/// Each family test walks every case of its fixture file and fails on an op it does not know, so a
/// case added to the script cannot be skipped silently. Convolution, pooling, batch norm and the
/// small CNN live in ConvolutionParityTests.swift.pending until those ops are in StrataCore.
final class PyTorchParityTests: XCTestCase {
    /// The default tolerances of the parity suite (float32 against a float64 reference).
    static let rtol: Float = 1e-4, atol: Float = 1e-5

    func fixture(_ name: String) throws -> ReferenceFixture {
        try ReferenceFixture.load(name, in: Bundle.module)
    }

    func testElementwise() throws {
        let fixture = try fixture("elementwise")
        for c in fixture.cases {
            try c.checkParity(inputs: ["input"]) { t in
                let x = t["input"]!
                switch c.op {
                case "sigmoid": return x.sigmoid()
                case "tanh": return x.tanh()
                case "relu": return x.relu()
                case "gelu": return x.gelu()
                case "elu": return x.elu(alpha: try c.float("alpha"))
                case "leaky_relu": return x.leakyRelu(negativeSlope: try c.float("negative_slope"))
                default: throw ReferenceFixtureError("\(c.name): unknown op \(c.op)")
                }
            }
        }
    }

    func testMatmulAndLinear() throws {
        let fixture = try fixture("matmul")
        for c in fixture.cases {
            switch c.op {
            case "matmul":
                let transpose = c.params["transpose_input"] != nil ? try c.bool("transpose_input") : false
                try c.checkParity(inputs: ["input", "other"]) { t in
                    // (K, M) stored, used as its (M, K) transposed view.
                    (transpose ? t["input"]!.transposed() : t["input"]!).matmul(t["other"]!)
                }
            case "linear":
                // PyTorch's weight is (out, in); Strata's linear takes (in, out): pass the transposed view.
                let inputs = c.has("bias") ? ["input", "weight", "bias"] : ["input", "weight"]
                try c.checkParity(inputs: inputs) { t in
                    t["input"]!.linear(weight: t["weight"]!.transposed(), bias: t["bias"])
                }
            default: XCTFail("\(c.name): unknown op \(c.op)")
            }
        }
    }

    func testVariance() throws {
        let fixture = try fixture("reduction")
        for c in fixture.cases {
            XCTAssertEqual(c.op, "var", c.name)
            let unbiased = try c.bool("unbiased"), keep = try c.bool("keepdim")
            try c.checkParity(inputs: ["input"]) { t in
                if let axes = try c.ints("axes") {
                    return t["input"]!.variance(alongAxes: axes, keepingDimensions: keep, unbiased: unbiased)
                }
                return t["input"]!.variance(unbiased: unbiased)
            }
        }
    }

    func testSoftmax() throws {
        let fixture = try fixture("softmax")
        for c in fixture.cases {
            let axis = try c.int("axis")
            try c.checkParity(inputs: ["input"]) { t in
                switch c.op {
                case "softmax": return t["input"]!.softmax(axis: axis)
                case "log_softmax": return t["input"]!.logSoftmax(axis: axis)
                default: throw ReferenceFixtureError("\(c.name): unknown op \(c.op)")
                }
            }
        }
    }

    func testLosses() throws {
        let fixture = try fixture("losses")
        for c in fixture.cases {
            switch c.op {
            case "cross_entropy" where c.params["labels"] != nil:
                let labels = try c.ints("labels")!
                try c.checkParity(inputs: ["logits"]) { t in Tensor.softmaxCrossEntropy(logits: t["logits"]!, labels: labels) }
            case "cross_entropy":
                try c.checkParity(inputs: ["logits", "targets"]) { t in
                    Tensor.softmaxCrossEntropy(logits: t["logits"]!, probabilities: t["targets"]!)
                }
            case "binary_cross_entropy_with_logits":
                try c.checkParity(inputs: ["logits", "targets"]) { t in
                    Tensor.binaryCrossEntropy(logits: t["logits"]!, targets: t["targets"]!)
                }
            case "mse_loss":
                try c.checkParity(inputs: ["predictions", "targets"]) { t in
                    Tensor.meanSquaredError(predictions: t["predictions"]!, targets: t["targets"]!)
                }
            default: XCTFail("\(c.name): unknown op \(c.op)")
            }
        }
    }

    /// Linear(20, 16) → ReLU → Linear(16, 3) → cross-entropy, end to end: loss, logits and all grads.
    func testMLPEndToEnd() throws {
        let c = try fixture("mlp").case("mlp_20_16_3")
        let labels = try c.ints("labels")!
        let expectedLogits = try c.tensor("logits")
        try c.checkParity(inputs: ["input", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]) { t in
            // x (8, 20) → (8, 16) → logits (8, 3); PyTorch weights are (out, in), hence transposed().
            let hidden = t["input"]!.linear(weight: t["fc1.weight"]!.transposed(), bias: t["fc1.bias"]!).relu()
            let logits = hidden.linear(weight: t["fc2.weight"]!.transposed(), bias: t["fc2.bias"]!)
            assertClose(logits, expectedLogits, rtol: Self.rtol, atol: Self.atol, "mlp logits")
            return Tensor.softmaxCrossEntropy(logits: logits, labels: labels)
        }
    }

    /// The global-average-pooling case needs no pooling op: it is the mean over (H, W).
    func testGlobalAveragePoolAsMean() throws {
        let c = try fixture("pool").case("global_avg_pool2d")
        try c.checkParity(inputs: ["input"]) { t in
            t["input"]!.mean(alongAxes: [2, 3], keepingDimensions: true)   // (N, C, H, W) → (N, C, 1, 1)
        }
    }

    /// The fixtures are what the script says they are: every file names it and a PyTorch version.
    func testFixtureFilesDescribeTheirOrigin() throws {
        for name in ["elementwise", "matmul", "reduction", "softmax", "losses", "mlp",
                     "conv2d", "pool", "batch_norm", "cnn"] {
            let fixture = try fixture(name)
            XCTAssertEqual(fixture.generator, "scripts/make-reference.py", name)
            XCTAssertFalse(fixture.torch.isEmpty, name)
            XCTAssertFalse(fixture.cases.isEmpty, name)
            XCTAssertEqual(Set(fixture.cases.map(\.name)).count, fixture.cases.count, "\(name): duplicate case names")
        }
    }
}
