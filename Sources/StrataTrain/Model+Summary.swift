import Foundation
import StrataNN

extension Model {
    /// The Keras summary table: each top-level layer with its output shape and parameter count,
    /// then the totals with thousands separators and sizes.
    ///
    /// ```
    /// Model: "sequential"
    /// _________________________________________________________________
    ///  Layer (type)                Output Shape              Param #
    /// =================================================================
    ///  dense (Dense)               (None, 28, 28)            812
    /// ...
    /// =================================================================
    /// Total params: 9,474 (37.01 KB)
    /// Trainable params: 9,474 (37.01 KB)
    /// Non-trainable params: 0 (0.00 B)
    /// _________________________________________________________________
    /// ```
    public func summary() -> String {
        let rows: [(String, [Int], Int)]
        if let sequential = network as? Sequential {
            rows = zip(sequential.layers, sequential.outputShapes).map { layer, shape in
                ("\(layer.name) (\(layer.typeName))", shape, (layer.parameters + layer.buffers).scalarCount)
            }
        } else {
            rows = [("\(network.name) (\(network.typeName))", outputShape, (parameters + buffers).scalarCount)]
        }
        let nameWidth = Swift.max(29, (rows.map { $0.0.count }.max() ?? 0) + 3)
        let shapeWidth = Swift.max(26, (rows.map { ShapeFormat.batched($0.1).count }.max() ?? 0) + 2)
        let total = nameWidth + shapeWidth + 10
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        var lines = ["Model: \"\(network.name)\""]
        lines.append(String(repeating: "_", count: total))
        lines.append(" " + pad("Layer (type)", nameWidth - 1) + pad("Output Shape", shapeWidth) + "Param #")
        lines.append(String(repeating: "=", count: total))
        for (index, row) in rows.enumerated() {
            lines.append(" " + pad(row.0, nameWidth - 1) + pad(ShapeFormat.batched(row.1), shapeWidth)
                         + Model.grouped(row.2))
            if index < rows.count - 1 { lines.append("") }
        }
        let trainable = parameters.scalarCount, nonTrainable = buffers.scalarCount
        lines.append(String(repeating: "=", count: total))
        lines.append("Total params: \(Model.grouped(trainable + nonTrainable)) (\(Model.byteSize((trainable + nonTrainable) * 4)))")
        lines.append("Trainable params: \(Model.grouped(trainable)) (\(Model.byteSize(trainable * 4)))")
        lines.append("Non-trainable params: \(Model.grouped(nonTrainable)) (\(Model.byteSize(nonTrainable * 4)))")
        lines.append(String(repeating: "_", count: total))
        return lines.joined(separator: "\n")
    }

    /// `9474` → `9,474`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    /// Bytes in Keras's units (1 KB = 1024 B), two decimals: `37.01 KB`.
    static func byteSize(_ bytes: Int) -> String {
        var value = Double(bytes)
        for unit in ["B", "KB", "MB", "GB"] {
            if value < 1024 { return String(format: "%.2f %@", value, unit) }
            value /= 1024
        }
        return String(format: "%.2f TB", value)
    }
}
