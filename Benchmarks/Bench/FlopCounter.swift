import StrataNN

/// Counts the multiply-adds of a network's forward pass (2 FLOPs each), from its layers' shapes.
enum FlopCounter {
    /// Forward FLOPs of one example of `inputShape` through `layer`.
    static func forward(_ layer: any Layer, inputShape: [Int]) throws -> Double {
        switch layer {
        case let sequential as Sequential:
            var shape = inputShape, total = 0.0
            for child in sequential.layers {
                total += try forward(child, inputShape: shape)
                shape = try child.outputShape(for: shape)
            }
            return total
        case let residual as Residual:
            return try forward(residual.block, inputShape: inputShape)
                + (residual.shortcut.map { try forward($0, inputShape: inputShape) } ?? 0)
        case let concatenate as Concatenate:
            return try concatenate.branches.reduce(0) { $0 + (try forward($1, inputShape: inputShape)) }
        case let conv as Conv2D:
            let output = try conv.outputShape(for: inputShape)
            let perOutput = Double(inputShape[0] / conv.groups * conv.kernelSize.height * conv.kernelSize.width)
            return 2 * perOutput * Double(output.reduce(1, *))
        case let dense as Dense:
            let rows = Double(inputShape.dropLast().reduce(1, *))
            return 2 * rows * Double(inputShape.last! * dense.units)
        default:
            return 0
        }
    }
}
