import Foundation
import StrataTrain

extension Model {
    /// The ONNX operator set an export targets (opset 17, IR version 8).
    public static let onnxOpsetVersion = 17

    /// The model as an ONNX file (opset 17, IR version 8): input `input` `(N, …inputShape)`, output
    /// `output` `(N, …outputShape)` with a symbolic batch size `N`, the weights and batch-norm statistics
    /// as float32 initializers, and the layers in their inference form (dropout removed, batch
    /// normalization with its moving statistics). Throws `ONNXExportError` naming a layer ONNX cannot express.
    ///
    /// ```swift
    /// try model.exportONNX(to: URL(fileURLWithPath: "model.onnx"))
    /// ```
    public func exportONNX(to url: URL) throws {
        let bytes = try onnxData()
        do {
            try bytes.write(to: url, options: .atomic)
        } catch {
            throw ONNXExportError("\(url.path): cannot write the ONNX model: \(error.localizedDescription)")
        }
    }

    /// The bytes of the ONNX model `exportONNX(to:)` writes.
    public func onnxData() throws -> Data {
        let graph = try ONNXGraphBuilder.graph(of: network, inputShape: inputShape)
        return Data(ONNXModel(opsetVersion: Model.onnxOpsetVersion, graph: graph).serialized())
    }
}
