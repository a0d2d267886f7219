import StrataCore

/// How a tensor stored by another framework becomes a Strata parameter.
///
/// | transform | file layout | Strata layout | used for |
/// | --- | --- | --- | --- |
/// | `none` | as Strata | as Strata | biases, batch norm, PyTorch `Conv2d` (OIHW), Keras `Dense` |
/// | `transpose` | `(out, in)` | `(in, out)` | PyTorch `Linear` |
/// | `hwioToOIHW` | `(KH, KW, in, out)` | `(out, in, KH, KW)` | Keras `Conv2D` |
/// | `nhwcFlattenRows(c, h, w)` | `(h·w·c, units)` | `(c·h·w, units)` | Keras `Dense` after `Flatten` of `(h, w, c)` maps |
///
/// In JSON mappings they are written `"none"`, `"transpose"`, `"hwio-to-oihw"` and `"nhwc-rows:C,H,W"`.
public enum WeightTransform: Sendable, Equatable {
    /// The tensor is used as stored.
    case none
    /// A 2-D tensor `(a, b)` becomes `(b, a)`.
    case transpose
    /// A convolution kernel `(KH, KW, in, out)` becomes `(out, in, KH, KW)`.
    case hwioToOIHW
    /// A dense kernel whose rows follow a channels-last flatten of `(height, width, channels)` maps gets
    /// its rows reordered to Strata's channels-first flatten of `(channels, height, width)`.
    case nhwcFlattenRows(channels: Int, height: Int, width: Int)

    /// The transform written as `text` in a JSON mapping; nil when `text` names none.
    public init?(text: String) {
        switch text {
        case "none", "": self = .none
        case "transpose": self = .transpose
        case "hwio-to-oihw": self = .hwioToOIHW
        default:
            let prefix = "nhwc-rows:"
            guard text.hasPrefix(prefix) else { return nil }
            let sizes = text.dropFirst(prefix.count).split(separator: ",").compactMap { Int($0) }
            guard sizes.count == 3, sizes.allSatisfy({ $0 > 0 }) else { return nil }
            self = .nhwcFlattenRows(channels: sizes[0], height: sizes[1], width: sizes[2])
        }
    }

    /// The transform as a JSON mapping writes it.
    public var text: String {
        switch self {
        case .none: return "none"
        case .transpose: return "transpose"
        case .hwioToOIHW: return "hwio-to-oihw"
        case let .nhwcFlattenRows(channels, height, width): return "nhwc-rows:\(channels),\(height),\(width)"
        }
    }

    /// The shape the file must hold for a Strata parameter of `shape`; nil when this transform cannot
    /// produce `shape` (a transpose of a 3-D parameter, a row reorder of the wrong row count).
    public func sourceShape(for shape: [Int]) -> [Int]? {
        switch self {
        case .none:
            return shape
        case .transpose:
            return shape.count == 2 ? [shape[1], shape[0]] : nil
        case .hwioToOIHW:
            return shape.count == 4 ? [shape[2], shape[3], shape[1], shape[0]] : nil
        case let .nhwcFlattenRows(channels, height, width):
            return shape.count == 2 && shape[0] == channels * height * width ? shape : nil
        }
    }

    /// `source` (in the file's layout, shaped `sourceShape(for:)`) in Strata's layout.
    public func apply(_ source: Tensor) -> Tensor {
        let values = source.scalars, shape = source.shape
        switch self {
        case .none:
            return Tensor(shape: shape, scalars: values)
        case .transpose:
            precondition(shape.count == 2, "WeightTransform.transpose: tensor \(shape) is not 2-D")
            let (rows, columns) = (shape[0], shape[1])
            var result = [Float](repeating: 0, count: values.count)
            for r in 0..<rows { for c in 0..<columns { result[c * rows + r] = values[r * columns + c] } }
            return Tensor(shape: [columns, rows], scalars: result)
        case .hwioToOIHW:
            precondition(shape.count == 4, "WeightTransform.hwioToOIHW: tensor \(shape) is not 4-D")
            let (kh, kw, inputs, outputs) = (shape[0], shape[1], shape[2], shape[3])
            var result = [Float](repeating: 0, count: values.count)
            for y in 0..<kh { for x in 0..<kw { for i in 0..<inputs { for o in 0..<outputs {
                result[((o * inputs + i) * kh + y) * kw + x] = values[((y * kw + x) * inputs + i) * outputs + o]
            } } } }
            return Tensor(shape: [outputs, inputs, kh, kw], scalars: result)
        case let .nhwcFlattenRows(channels, height, width):
            precondition(shape.count == 2 && shape[0] == channels * height * width,
                         "WeightTransform.nhwcFlattenRows: tensor \(shape) does not have \(channels)·\(height)·\(width) rows")
            let units = shape[1]
            var result = [Float](repeating: 0, count: values.count)
            for c in 0..<channels { for y in 0..<height { for x in 0..<width {
                let strataRow = (c * height + y) * width + x, fileRow = (y * width + x) * channels + c
                for u in 0..<units { result[strataRow * units + u] = values[fileRow * units + u] }
            } } }
            return Tensor(shape: shape, scalars: result)
        }
    }
}
