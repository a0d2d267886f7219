import Foundation
import StrataCore
@testable import StrataInterop
import StrataTrain
import XCTest

/// Every catalog model, the retrieval embedding network and a model of the remaining layers, exported
/// and run by ONNX Runtime through scripts/onnx_check.py: onnx.checker (full check) passes and the
/// outputs equal Strata's within 1e-5 · max(1, max |Strata's output|). Runs when STRATA_ONNX_PYTHON
/// names the python of scripts/onnx-check-venv (CI sets it); skips otherwise.
final class ONNXRuntimeTests: XCTestCase {
    /// The repository's root (for scripts/onnx_check.py).
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private func python() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["STRATA_ONNX_PYTHON"], !python.isEmpty else {
            throw XCTSkip("STRATA_ONNX_PYTHON is not set (scripts/onnx-check-venv makes .venv-onnx); skipping")
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("STRATA_ONNX_PYTHON=\(python) is not an executable; skipping")
        }
        return python
    }

    func testEveryCatalogModelAndTheEmbeddingNetworkMatchONNXRuntime() throws {
        let python = try python()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-onnx-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var models: [(String, Model)] = try ONNXTestModels.catalog.map { ($0.name, try ONNXTestModels.catalogModel($0.name, options: $0.options)) }
        models.append(("embedding-cnn", try ONNXTestModels.embeddingModel()))
        models.append(("other-layers", try ONNXTestModels.otherLayersModel()))
        models.append(("keras-padding", try ONNXTestModels.kerasPaddingModel()))
        var cases: [String] = []
        for (name, model) in models {
            let (values, source) = ONNXTestModels.inputs(count: 8, pixels: model.inputShape.reduce(1, *))
            if model.inputShape.reduce(1, *) == 784, let root = ProcessInfo.processInfo.environment["STRATA_DATA"],
               FileManager.default.fileExists(atPath: root + "/mnist") {
                XCTAssertEqual(source, "MNIST test images", name)
            }
            let input = Tensor(shape: [8] + model.inputShape, scalars: values)
            let expected = model.predict(input)
            try model.exportONNX(to: folder.appendingPathComponent("\(name).onnx"))
            try ONNXCheckCase(name: name, input: input, expected: expected).write(to: folder)
            cases.append(folder.appendingPathComponent("\(name).json").path)
        }

        let results = try runCheck(python: python, cases: cases)
        XCTAssertEqual(results.map { $0["case"] as? String }, models.map { "\($0.0).json" })
        for result in results {
            let name = result["case"] as? String ?? "?"
            XCTAssertEqual(result["ok"] as? Bool, true, "\(name): \(result)")
            XCTAssertNil(result["error"], "\(name)")
            if let error = result["max_abs_error"] as? Double, let scale = result["max_abs_expected"] as? Double {
                XCTAssertLessThanOrEqual(error, 1e-5 * scale, name)
            } else {
                XCTFail("\(name): no error measured: \(result)")
            }
        }
    }

    func testTheCheckFailsOnAWrongExpectedOutput() throws {
        let python = try python()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-onnx-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try ONNXTestModels.catalogModel("dense128", options: .init())
        let input = Tensor(shape: [2, 784], scalars: ONNXTestModels.inputs(count: 2, pixels: 784).values)
        let wrong = model.predict(input) + Tensor(1e-3)
        try model.exportONNX(to: folder.appendingPathComponent("dense128.onnx"))
        try ONNXCheckCase(name: "dense128", input: input, expected: wrong).write(to: folder)
        let results = try runCheck(python: python, cases: [folder.appendingPathComponent("dense128.json").path],
                                   expectedStatus: 1)
        XCTAssertEqual(results.first?["ok"] as? Bool, false)
    }

    /// Runs scripts/onnx_check.py --json on `cases`; returns one dictionary a case.
    private func runCheck(python: String, cases: [String], expectedStatus: Int32 = 0,
                          file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.root.appendingPathComponent("scripts/onnx_check.py").path, "--json"] + cases
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, expectedStatus, "onnx_check.py: \(errorText)", file: file, line: line)
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], file: file, line: line)
        }
    }
}

/// One case for scripts/onnx_check.py: `name.json` beside `name.onnx`, with the input and Strata's
/// output as raw little-endian float32 files.
struct ONNXCheckCase {
    /// The case's name (the model file is `name.onnx`).
    let name: String
    /// The input `(N, …)`.
    let input: Tensor
    /// Strata's output for it.
    let expected: Tensor

    /// Writes `name.json`, `name.input.f32` and `name.expected.f32` into `folder`.
    func write(to folder: URL) throws {
        try Data(ProtobufWriter.littleEndianBytes(input.scalars)).write(to: folder.appendingPathComponent("\(name).input.f32"))
        try Data(ProtobufWriter.littleEndianBytes(expected.scalars)).write(to: folder.appendingPathComponent("\(name).expected.f32"))
        let description: [String: Any] = ["model": "\(name).onnx", "input": "\(name).input.f32", "input_shape": input.shape,
                                          "expected": "\(name).expected.f32", "expected_shape": expected.shape]
        try JSONSerialization.data(withJSONObject: description).write(to: folder.appendingPathComponent("\(name).json"))
    }
}
