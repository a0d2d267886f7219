import Foundation

/// The per-epoch record of a training run: the loss and every metric, for training and validation
/// (`loss`, `accuracy`, `val_loss`, `val_accuracy`, …), as Keras's `History`.
public struct History: Codable, Equatable, Sendable {
    /// The epochs recorded, 1-based.
    public private(set) var epochs: [Int] = []
    /// The value of each logged quantity at each recorded epoch, by name.
    public private(set) var values: [String: [Double]] = [:]
    /// The names in the order they were first logged.
    public private(set) var names: [String] = []

    /// An empty history.
    public init() {}

    /// Decodes a history (from a checkpoint or `history.json`), refusing one whose parts disagree: every name
    /// once, the same names as `values`, and one value per recorded epoch in each series.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let epochs = try container.decode([Int].self, forKey: .epochs)
        let values = try container.decode([String: [Double]].self, forKey: .values)
        let names = try container.decode([String].self, forKey: .names)
        func corrupt(_ reason: String) -> DecodingError {
            .dataCorruptedError(forKey: .names, in: container, debugDescription: reason)
        }
        guard Set(names).count == names.count, Set(names) == Set(values.keys) else {
            throw corrupt("the names \(names) are not each logged quantity once (values hold \(values.keys.sorted()))")
        }
        if let (name, series) = values.first(where: { $0.value.count != epochs.count }) {
            throw corrupt("'\(name)' has \(series.count) values for \(epochs.count) epochs")
        }
        self.epochs = epochs
        self.values = values
        self.names = names
    }

    /// Adds the logs of one epoch.
    public mutating func record(epoch: Int, logs: [(name: String, value: Double)]) {
        epochs.append(epoch)
        for (name, value) in logs {
            if values[name] == nil {
                names.append(name)
                values[name] = Array(repeating: .nan, count: epochs.count - 1)
            }
            values[name]!.append(value)
        }
        for name in names where values[name]!.count < epochs.count { values[name]!.append(.nan) }
    }

    /// The series of one logged quantity (empty when it was never logged).
    public subscript(name: String) -> [Double] { values[name] ?? [] }

    /// The last value of a logged quantity.
    public func last(_ name: String) -> Double? { values[name]?.last }

    /// The history as CSV: `epoch,<name>,…` then one row per epoch.
    public func csv() -> String {
        var lines = [(["epoch"] + names).joined(separator: ",")]
        for (row, epoch) in epochs.enumerated() {
            lines.append(([String(epoch)] + names.map { String(values[$0]![row]) }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
