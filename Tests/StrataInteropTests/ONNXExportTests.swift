import Foundation
import StrataCore
import StrataExperiments
@testable import StrataInterop
import StrataNN
import StrataTrain
import XCTest

/// The exported file read back with the tests' own protobuf reader: header, graph structure, weights.
final class ONNXExportTests: XCTestCase {
    /// The decoded fields of a model's ONNX bytes: (model fields, graph fields).
    private func decode(_ model: Model) throws -> (model: [ProtobufReader.Field], graph: [ProtobufReader.Field]) {
        let fields = try ProtobufReader.fields(of: Array(try model.onnxData()))
        guard let graph = try fields.first(7)?.message else { throw ProtobufReader.Malformed() }
        return (fields, graph)
    }

    private func opTypes(_ graph: [ProtobufReader.Field]) throws -> [String] {
        try graph.all(1).map { try $0.message.first(4)?.string ?? "" }
    }

    private func attribute(_ name: String, of node: [ProtobufReader.Field]) throws -> [ProtobufReader.Field]? {
        try node.all(5).map { try $0.message }.first { $0.first(1)?.string == name }
    }

    func testHeaderInputAndOutput() throws {
        let model = try ONNXTestModels.catalogModel("cnn", options: ModelOptions())
        let (fields, graph) = try decode(model)
        XCTAssertEqual(fields.first(1)?.varint, 8, "ir_version")
        let opset = try fields.first(8)?.message
        XCTAssertEqual(opset?.first(2)?.varint, 17, "opset version")
        XCTAssertEqual(fields.first(2)?.string, "Strata")
        // input: name "input", float, shape (N, 1, 28, 28) with N symbolic; output (N, 10).
        for (field, name, shape) in [(11, "input", ["N", "1", "28", "28"]), (12, "output", ["N", "10"])] {
            let info = try XCTUnwrap(graph.first(field)?.message)
            XCTAssertEqual(info.first(1)?.string, name)
            let tensorType = try XCTUnwrap(info.first(2)?.message.first(1)?.message)
            XCTAssertEqual(tensorType.first(1)?.varint, 1, "elem_type FLOAT")
            let dims = try XCTUnwrap(tensorType.first(2)?.message).all(1).map { try $0.message }
            XCTAssertEqual(dims.map { $0.first(2)?.string ?? String($0.first(1)?.varint ?? 0) }, shape)
        }
        let nodes = try graph.all(1).map { try $0.message }
        XCTAssertEqual(nodes.last?.all(2).map(\.string), ["output"])
        XCTAssertEqual(nodes.first?.all(1).map(\.string), ["input", "conv2d.kernel", "conv2d.bias"])
    }

    func testCNNOperatorsAndDropoutRemoved() throws {
        let model = try ONNXTestModels.catalogModel("cnn", options: ModelOptions())
        XCTAssertEqual(try opTypes(try decode(model).graph),
                       ["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm"])
    }

    func testInitializersHoldTheWeightsLittleEndian() throws {
        let model = try ONNXTestModels.catalogModel("dense128", options: ModelOptions())
        let graph = try decode(model).graph
        let initializers = try graph.all(5).map { try $0.message }
        XCTAssertEqual(initializers.map { $0.first(8)?.string }, ["dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"])
        for (tensor, parameter) in zip(initializers, model.parameters) {
            XCTAssertEqual(try ProtobufReader.packedVarints(tensor.first(1)?.bytes ?? []), parameter.tensor.shape)
            XCTAssertEqual(tensor.first(2)?.varint, 1, "FLOAT")
            XCTAssertEqual(tensor.first(9)?.bytes, ProtobufWriter.littleEndianBytes(parameter.tensor.scalars))
        }
    }

    func testStridedSamePaddingIsWrittenAsStrataPads() throws {
        // vgg-allconv downsamples with 3×3 stride-2 "same" convolutions: 28 → 14 and 14 → 7 need a total
        // padding of 1 (odd), which Strata pads as 1 on each side, and 7 → 4 needs 2.
        let model = try ONNXTestModels.catalogModel("vgg-allconv", options: ModelOptions())
        let nodes = try decode(model).graph.all(1).map { try $0.message }
        var strided: [[ProtobufReader.Field]] = []
        for node in nodes where node.first(4)?.string == "Conv" {
            if try attribute("strides", of: node)?.first(8)?.bytes == [2, 2] { strided.append(node) }
        }
        XCTAssertEqual(strided.count, 3)
        for node in strided {
            XCTAssertEqual(try ProtobufReader.packedVarints(try attribute("pads", of: node)?.first(8)?.bytes ?? []), [1, 1, 1, 1])
        }
    }

    func testGELUIsWrittenWithErf() throws {
        let model = try Model(inputShape: [3], seed: 1) { Dense(2, activation: .gelu) }
        XCTAssertEqual(try opTypes(try decode(model).graph), ["Gemm", "Div", "Erf", "Add", "Mul", "Mul"])
    }

    func testResidualAndConcatenate() throws {
        let resnet = try ONNXTestModels.catalogModel("resnet", options: ONNXTestModels.catalog.first { $0.name == "resnet" }!.options)
        XCTAssertEqual(try opTypes(try decode(resnet).graph).filter { $0 == "Add" }.count, 3)
        let inception = try ONNXTestModels.catalogModel("inception", options: ModelOptions())
        let nodes = try decode(inception).graph.all(1).map { try $0.message }
        let concats = nodes.filter { $0.first(4)?.string == "Concat" }
        XCTAssertEqual(concats.count, 5)
        XCTAssertEqual(try concats.map { try attribute("axis", of: $0)?.first(3)?.varint }, Array(repeating: 1, count: 5))
    }

    func testALayerWithoutAnONNXFormIsRefusedByName() throws {
        let model = try Model(inputShape: [4], seed: 1) {
            Dense(3)
            Lambda { $0 * $0 }
        }
        model.network.sublayers[1].name = "square"
        XCTAssertThrowsError(try model.onnxData()) { error in
            XCTAssertTrue("\(error)".contains("square (Lambda)"), "\(error)")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-refused-\(UUID()).onnx")
        XCTAssertThrowsError(try model.exportONNX(to: url))
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    func testExportWritesTheFile() throws {
        let model = try ONNXTestModels.catalogModel("mlp-small", options: ModelOptions())
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-export-\(UUID()).onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.exportONNX(to: url)
        XCTAssertEqual(try Data(contentsOf: url), try model.onnxData())
        // Dense on rows of (N, 28, 28): MatMul + Add, not Gemm.
        XCTAssertEqual(try opTypes(try decode(model).graph), ["MatMul", "Add", "Relu", "MatMul", "Add", "Relu", "Flatten", "Gemm"])
    }
}
