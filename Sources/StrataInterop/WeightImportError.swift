/// A weight file or mapping that does not fit the model; the message names the file and every tensor at fault.
public enum WeightImportError: Error, CustomStringConvertible, Equatable {
    /// One tensor that does not fit.
    public enum Fault: Equatable, Sendable, CustomStringConvertible {
        /// The mapping asks for `source` (for Strata's `parameter`), which the file lacks.
        case missing(parameter: String, source: String)
        /// The Strata `parameter` has no entry in the mapping.
        case unmapped(parameter: String)
        /// The file holds `source`, which no entry uses and no `ignore` suffix covers.
        case unexpected(source: String)
        /// The file's `source` has shape `found`; Strata's `parameter` (shape `parameterShape`) needs `expected`.
        case shapeMismatch(parameter: String, source: String, expected: [Int], found: [Int], parameterShape: [Int])
        /// The mapping names a Strata tensor the model does not have.
        case unknownParameter(parameter: String)

        /// One line naming the tensor and what is wrong.
        public var description: String {
            switch self {
            case let .missing(parameter, source):
                return "missing: '\(source)' (for \(parameter)) is not in the file"
            case let .unmapped(parameter):
                return "unmapped: \(parameter) has no source tensor in the mapping"
            case let .unexpected(source):
                return "unexpected: '\(source)' is in the file but nothing uses it"
            case let .shapeMismatch(parameter, source, expected, found, parameterShape):
                return "wrong shape: '\(source)' is \(Self.text(found)) but \(parameter) \(Self.text(parameterShape)) "
                    + "needs \(Self.text(expected)) in the file"
            case let .unknownParameter(parameter):
                return "unknown: the mapping names \(parameter), which the model does not have"
            }
        }

        private static func text(_ shape: [Int]) -> String { "(" + shape.map(String.init).joined(separator: ", ") + ")" }
    }

    /// The weight file at `path` does not fit the model: every fault, in a stable order.
    case mismatch(path: String, faults: [Fault])
    /// The mapping file at `path` cannot be used.
    case mapping(path: String, reason: String)
    /// The model has a layer that a built-in mapping does not know.
    case unsupportedLayer(layer: String, type: String, source: String)

    /// What is wrong, naming the file.
    public var description: String {
        switch self {
        case let .mismatch(path, faults):
            return "\(path): \(faults.count) tensor\(faults.count == 1 ? "" : "s") do\(faults.count == 1 ? "es" : "") "
                + "not fit the model:\n" + faults.map { "  " + $0.description }.joined(separator: "\n")
        case let .mapping(path, reason):
            return "weight mapping \(path): \(reason)"
        case let .unsupportedLayer(layer, type, source):
            return "the built-in \(source) mapping does not know layer \(layer) (\(type)); "
                + "give a mapping as JSON (--mapping)"
        }
    }
}
