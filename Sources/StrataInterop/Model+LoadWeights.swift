import Foundation
import StrataCore
import StrataNN
import StrataTrain

extension Model {
    /// Copies the weights of another framework, saved as safetensors at `url`, into this model's
    /// parameters and buffers through `mapping` (see `WeightMapping`):
    ///
    /// ```swift
    /// let model = try Model(ModelCatalog.make("cnn"), inputShape: [1, 28, 28])
    /// try model.loadWeights(from: URL(fileURLWithPath: "cnn.safetensors"),
    ///                       mapping: try .pytorch(for: model.network, inputShape: model.inputShape))
    /// ```
    ///
    /// Everything is checked before anything changes; a `WeightImportError.mismatch` naming the file
    /// lists every tensor at fault (missing, unmapped, unexpected, or of the wrong shape with both shapes).
    /// Layer settings that are not weights (batch normalization's epsilon, the "same" padding variant)
    /// come from how the model was built, not from the file.
    public func loadWeights(from url: URL, mapping: WeightMapping) throws {
        let (tensors, _) = try SafeTensorsFile.read(from: url)
        try loadWeights(tensors, mapping: mapping, source: url.path)
    }

    /// Copies `tensors` (named as in their file) into the parameters and buffers through `mapping`;
    /// `source` names the file in errors.
    public func loadWeights(_ tensors: [String: Tensor], mapping: WeightMapping, source: String = "(in memory)") throws {
        let targets = parameters + buffers
        var faults: [WeightImportError.Fault] = []
        var copies: [(value: Tensor, destination: Tensor)] = []
        var used = Set<String>()
        for target in targets {
            guard let entry = mapping.entries[target.name] else {
                faults.append(.unmapped(parameter: target.name))
                continue
            }
            used.insert(entry.source)
            guard let stored = tensors[entry.source] else {
                faults.append(.missing(parameter: target.name, source: entry.source))
                continue
            }
            guard let expected = entry.transform.sourceShape(for: target.tensor.shape), expected == stored.shape else {
                faults.append(.shapeMismatch(parameter: target.name, source: entry.source,
                                             expected: entry.transform.sourceShape(for: target.tensor.shape) ?? [],
                                             found: stored.shape, parameterShape: target.tensor.shape))
                continue
            }
            precondition(target.tensor.isContiguous, "loadWeights: '\(target.name)' is a strided view")
            copies.append((entry.transform.apply(stored), target.tensor))
        }
        let known = Set(targets.map(\.name))
        for name in mapping.entries.keys.sorted() where !known.contains(name) {
            faults.append(.unknownParameter(parameter: name))
        }
        for name in tensors.keys.sorted() where !used.contains(name) && !mapping.ignores(name) {
            faults.append(.unexpected(source: name))
        }
        guard faults.isEmpty else { throw WeightImportError.mismatch(path: source, faults: faults) }
        for (value, destination) in copies {
            destination.pointer.update(from: value.pointer, count: destination.count)
            destination.storage.bumpVersion()
        }
    }
}
