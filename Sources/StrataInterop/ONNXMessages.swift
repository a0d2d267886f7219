/// The messages of onnx.proto that an exported model needs, each with its field numbers
/// (onnx/onnx.proto, IR version 8), and their encoding through `ProtobufWriter`.

/// An element type of `TensorProto.DataType`.
enum ONNXDataType: Int {
    /// float32.
    case float = 1
    /// int64.
    case int64 = 7
}

/// `TensorProto`: a named constant (an initializer), its dims and its little-endian `raw_data`.
struct ONNXTensor {
    /// The name nodes use to read it.
    var name: String
    /// The shape.
    var dims: [Int]
    /// The element type.
    var dataType: ONNXDataType
    /// The values, little-endian.
    var rawData: [UInt8]

    /// A float32 tensor of `dims` holding `values` (row-major).
    static func float(_ name: String, dims: [Int], values: [Float]) -> ONNXTensor {
        precondition(dims.reduce(1, *) == values.count, "ONNXTensor \(name): dims \(dims) for \(values.count) values")
        return ONNXTensor(name: name, dims: dims, dataType: .float, rawData: ProtobufWriter.littleEndianBytes(values))
    }

    /// A one-axis int64 tensor of `values` (shapes for Reshape, axes).
    static func int64(_ name: String, values: [Int]) -> ONNXTensor {
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 8)
        for value in values {
            let bits = UInt64(bitPattern: Int64(value))
            for byte in 0..<8 { raw.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(byte)))) }
        }
        return ONNXTensor(name: name, dims: [values.count], dataType: .int64, rawData: raw)
    }

    /// dims = 1 (packed int64), data_type = 2, name = 8, raw_data = 9.
    func encode(into writer: inout ProtobufWriter) {
        writer.writePackedInts(1, dims)
        writer.writeInt(2, dataType.rawValue)
        writer.writeString(8, name)
        writer.writeBytes(9, rawData)
    }
}

/// `AttributeProto`: a named attribute of a node.
struct ONNXAttribute {
    /// The attribute's value, with its `AttributeType`.
    enum Value {
        /// FLOAT (1), field f = 2.
        case float(Float)
        /// INT (2), field i = 3.
        case int(Int)
        /// STRING (3), field s = 4.
        case string(String)
        /// INTS (7), field ints = 8.
        case ints([Int])
    }

    /// The attribute's name (`kernel_shape`, `alpha`).
    var name: String
    /// Its value.
    var value: Value

    /// name = 1, type = 20, then the value's field.
    func encode(into writer: inout ProtobufWriter) {
        writer.writeString(1, name)
        switch value {
        case .float(let number):
            writer.writeFloat(2, number)
            writer.writeInt(20, 1)
        case .int(let number):
            writer.writeInt(3, number)
            writer.writeInt(20, 2)
        case .string(let text):
            writer.writeString(4, text)
            writer.writeInt(20, 3)
        case .ints(let numbers):
            writer.writePackedInts(8, numbers)
            writer.writeInt(20, 7)
        }
    }
}

/// `NodeProto`: one operator applied to named inputs, giving named outputs.
struct ONNXNode {
    /// The operator (`Conv`, `Relu`), in the default domain.
    var opType: String
    /// The names of its inputs, in the operator's order.
    var inputs: [String]
    /// The names of its outputs.
    var outputs: [String]
    /// The node's own name.
    var name: String
    /// Its attributes.
    var attributes: [ONNXAttribute] = []

    /// input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    func encode(into writer: inout ProtobufWriter) {
        for input in inputs { writer.writeString(1, input) }
        for output in outputs { writer.writeString(2, output) }
        writer.writeString(3, name)
        writer.writeString(4, opType)
        for attribute in attributes { writer.writeMessage(5) { attribute.encode(into: &$0) } }
    }
}

/// `ValueInfoProto` of a float32 tensor: a graph input or output with its shape.
struct ONNXValueInfo {
    /// One axis: a fixed size or a symbol (`N` for the batch).
    enum Dimension: Equatable {
        /// dim_value = 1.
        case size(Int)
        /// dim_param = 2.
        case symbol(String)
    }

    /// The tensor's name.
    var name: String
    /// Its shape.
    var shape: [Dimension]

    /// name = 1, type = 2 (TypeProto: tensor_type = 1 (elem_type = 1, shape = 2 (dim = 1))).
    func encode(into writer: inout ProtobufWriter) {
        writer.writeString(1, name)
        writer.writeMessage(2) { type in
            type.writeMessage(1) { tensor in
                tensor.writeInt(1, ONNXDataType.float.rawValue)
                tensor.writeMessage(2) { shapeWriter in
                    for dimension in shape {
                        shapeWriter.writeMessage(1) { dim in
                            switch dimension {
                            case .size(let size): dim.writeInt(1, size)
                            case .symbol(let symbol): dim.writeString(2, symbol)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GraphProto`: nodes in topological order, initializers, inputs and outputs.
struct ONNXGraph {
    /// The graph's name.
    var name: String
    /// The nodes, each after the nodes its inputs come from.
    var nodes: [ONNXNode] = []
    /// The constants (weights, shapes).
    var initializers: [ONNXTensor] = []
    /// The graph's inputs (not the initializers).
    var inputs: [ONNXValueInfo] = []
    /// The graph's outputs.
    var outputs: [ONNXValueInfo] = []

    /// node = 1, name = 2, initializer = 5, input = 11, output = 12.
    func encode(into writer: inout ProtobufWriter) {
        for node in nodes { writer.writeMessage(1) { node.encode(into: &$0) } }
        writer.writeString(2, name)
        for tensor in initializers { writer.writeMessage(5) { tensor.encode(into: &$0) } }
        for input in inputs { writer.writeMessage(11) { input.encode(into: &$0) } }
        for output in outputs { writer.writeMessage(12) { output.encode(into: &$0) } }
    }
}

/// `ModelProto`: the IR version, the operator set, who wrote it, and the graph.
struct ONNXModel {
    /// The IR version (8: ONNX 1.10 and later read it).
    var irVersion = 8
    /// The version of the default ("ai.onnx") operator set.
    var opsetVersion = 17
    /// The writer's name.
    var producerName = "Strata"
    /// The writer's version.
    var producerVersion = "0.1"
    /// The graph.
    var graph: ONNXGraph

    /// The serialized model: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7,
    /// opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2).
    func serialized() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.writeInt(1, irVersion)
        writer.writeString(2, producerName)
        writer.writeString(3, producerVersion)
        writer.writeMessage(7) { graph.encode(into: &$0) }
        writer.writeMessage(8) { opset in
            opset.writeString(1, "")
            opset.writeInt(2, opsetVersion)
        }
        return writer.bytes
    }
}
