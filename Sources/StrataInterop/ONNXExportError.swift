import StrataNN

/// A model that cannot be written as ONNX: a layer with no ONNX form (named), a layer not built,
/// or a file that cannot be written.
public struct ONNXExportError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, naming the layer or the file.
    public let description: String

    /// An error with the given message.
    public init(_ description: String) { self.description = description }

    /// `layer` has no ONNX form.
    static func unsupported(_ layer: any Layer) -> ONNXExportError {
        ONNXExportError("layer \(layer.name.isEmpty ? "(unnamed)" : layer.name) (\(layer.typeName)) has no ONNX form; "
            + "export supports Dense, Conv2D, BatchNormalization, the activation layers, MaxPool2D, AveragePool2D, "
            + "GlobalAveragePool2D, Flatten, Reshape, Dropout, UnitNormalization, Residual, Concatenate and Sequential")
    }

    /// `layer` has no weights yet.
    static func unbuilt(_ layer: any Layer) -> ONNXExportError {
        ONNXExportError("layer \(layer.name) (\(layer.typeName)) is not built; build the model before exporting it")
    }
}
