import Foundation
import StrataCore
import StrataTrain
import XCTest

/// `strata import` run as a subprocess: a PyTorch state_dict of mlp-small becomes a run folder that
/// `strata evaluate` reads; bad files are refused naming the file and every tensor at fault.
final class ImportCommandTests: XCTestCase {
    private var workspace: CommandWorkspace!

    override func setUpWithError() throws { workspace = try CommandWorkspace("import") }
    override func tearDown() { workspace.remove() }

    /// mlp-small's weights as PyTorch names them (`nn.Sequential` of Linear, ReLU, Linear, ReLU, Flatten, Linear).
    private func pytorchWeights(overriding changes: [String: Tensor?] = [:]) -> [String: Tensor] {
        func ramp(_ shape: [Int], _ scale: Float) -> Tensor {
            Tensor(shape: shape, scalars: (0..<Tensor.elementCount(shape)).map { Float($0 % 7 - 3) * scale })
        }
        var tensors = ["0.weight": ramp([28, 28], 0.01), "0.bias": ramp([28], 0.1), "2.weight": ramp([28, 28], 0.02),
                       "2.bias": ramp([28], 0.1), "5.weight": ramp([10, 784], 0.001), "5.bias": ramp([10], 0.5)]
        for (name, tensor) in changes { tensors[name] = tensor }
        return tensors
    }

    private func importArguments(_ file: String, out: String) -> [String] {
        ["import", workspace.path(file), "--from", "pytorch", "--model", "mlp-small", "--dataset", "mnist",
         "--data-dir", workspace.data.path, "--out", workspace.path(out)]
    }

    func testImportWritesARunThatEvaluateReads() throws {
        let weights = pytorchWeights()
        try SafeTensorsFile.write(weights, to: workspace.url("mlp-small.safetensors"))
        let outcome = try workspace.strata.succeed(importArguments("mlp-small.safetensors", out: "imported"))
        XCTAssertTrue(outcome.lines.contains("wrote \(workspace.path("imported"))"), outcome.output)

        let saved = try SafeTensorsFile.read(from: workspace.url("imported/model.safetensors")).tensors
        XCTAssertEqual(saved["model/dense_2.kernel"]?.shape, [784, 10])
        XCTAssertEqual(saved["model/dense_2.kernel"]?.scalars, weights["5.weight"]!.transposed().contiguous().scalars)
        XCTAssertEqual(saved["model/dense.bias"]?.scalars, weights["0.bias"]!.scalars)
        let options = try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.url("imported/options.json")))
        XCTAssertEqual((options as? [String: Any])?["model"] as? String, "mlp-small")

        let evaluation = try workspace.strata.succeed(["evaluate", workspace.path("imported"), "--data-dir", workspace.data.path])
        XCTAssertTrue(evaluation.output.contains("mlp-small on the mnist test set (100 images)"), evaluation.output)
        XCTAssertTrue(evaluation.output.contains("accuracy: "), evaluation.output)
    }

    func testBadFilesAreRefusedNamingEveryTensor() throws {
        let file = "wrong.safetensors"
        try SafeTensorsFile.write(pytorchWeights(overriding: ["5.weight": Tensor.zeros([10, 100]), "2.bias": nil,
                                                              "9.weight": Tensor.zeros([3])]),
                                  to: workspace.url(file))
        let outcome = try workspace.strata.run(importArguments(file, out: "refused"))
        XCTAssertNotEqual(outcome.status, 0)
        let path = workspace.path(file)
        for expected in ["\(path): 3 tensors do not fit the model",
                         "missing: '2.bias' (for dense_1.bias) is not in the file",
                         "wrong shape: '5.weight' is (10, 100) but dense_2.kernel (784, 10) needs (10, 784) in the file",
                         "unexpected: '9.weight' is in the file but nothing uses it"] {
            XCTAssertTrue(outcome.error.contains(expected), "missing «\(expected)» in: \(outcome.error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.path("refused")), "no run folder for a refused import")

        try Data("not safetensors at all".utf8).write(to: workspace.url("text.safetensors"))
        let text = try workspace.strata.run(importArguments("text.safetensors", out: "refused"))
        XCTAssertNotEqual(text.status, 0)
        XCTAssertTrue(text.error.contains(workspace.path("text.safetensors")), text.error)

        let missing = try workspace.strata.run(importArguments("absent.safetensors", out: "refused"))
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.error.contains("no such file: \(workspace.path("absent.safetensors"))"), missing.error)

        try SafeTensorsFile.write(pytorchWeights(), to: workspace.url("ok.safetensors"))
        let resnet = try workspace.strata.run(["import", workspace.path("ok.safetensors"), "--from", "keras", "--model", "resnet",
                                               "--data-dir", workspace.data.path, "--out", workspace.path("refused")])
        XCTAssertNotEqual(resnet.status, 0)
        XCTAssertTrue(resnet.error.contains("model resnet has no built-in keras mapping; give one with --mapping"), resnet.error)
    }
}
