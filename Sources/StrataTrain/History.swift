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
