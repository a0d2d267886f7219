import Foundation

/// Where a training run stands, saved in a checkpoint so that the run can resume: epochs done, the
/// global step, the best value of the monitored quantity, the random seed/state, the history and the
/// run's options.
///
/// A checkpoint stores it in the safetensors metadata, which holds strings only, one key per field so
/// that Python can read it too (`safe_open(path, "np").metadata()["global_step"]`):
///
/// | key | value |
/// | --- | --- |
/// | `epoch` | `epochsCompleted`, decimal |
/// | `global_step` | `globalStep`, decimal |
/// | `monitor`, `best_value` | the monitored name; its best value (`String(Double)`, exact; `nan`, `inf`) |
/// | `seed`, `random_state` | decimal `UInt64`; the state words, comma-separated |
/// | `history` | `History` as JSON (NaN and infinities as `"NaN"`, `"Infinity"`, `"-Infinity"`) |
/// | `options` | the run options as a JSON object of strings |
/// | `extra/<key>` | each entry of `extra` |
///
/// Integers live here as decimal strings, not in tensors, because tensors are Float32 and would round
/// a step count above 2^24.
public struct TrainingProgress: Codable, Equatable, Sendable {
    /// The number of epochs finished (the next epoch to run is this plus one).
    public var epochsCompleted: Int
    /// The number of optimizer steps taken since the start of the run.
    public var globalStep: Int
    /// The name of the monitored quantity (`"val_loss"`), if a callback watches one.
    public var monitor: String?
    /// The best value of the monitored quantity seen so far.
    public var bestValue: Double?
    /// The seed the run started from.
    public var seed: UInt64?
    /// The words of a random generator's state, when the caller can supply them.
    public var randomState: [UInt64]?
    /// The per-epoch logs so far.
    public var history: History
    /// The options the run was started with (batch size, learning rate, …), as strings.
    public var options: [String: String]
    /// Anything else worth keeping, as strings.
    public var extra: [String: String]

    /// Progress at the given point (a fresh run by default).
    public init(epochsCompleted: Int = 0, globalStep: Int = 0, monitor: String? = nil, bestValue: Double? = nil,
                seed: UInt64? = nil, randomState: [UInt64]? = nil, history: History = History(),
                options: [String: String] = [:], extra: [String: String] = [:]) {
        self.epochsCompleted = epochsCompleted
        self.globalStep = globalStep
        self.monitor = monitor
        self.bestValue = bestValue
        self.seed = seed
        self.randomState = randomState
        self.history = history
        self.options = options
        self.extra = extra
    }

    /// The prefix of the metadata keys that hold `extra`.
    public static let extraPrefix = "extra/"

    /// The progress as safetensors metadata (see the table above).
    public func metadata() throws -> [String: String] {
        var entries = ["epoch": String(epochsCompleted), "global_step": String(globalStep)]
        entries["monitor"] = monitor
        entries["best_value"] = bestValue.map { String($0) }
        entries["seed"] = seed.map { String($0) }
        entries["random_state"] = randomState.map { $0.map { String($0) }.joined(separator: ",") }
        entries["history"] = try Self.json(history)
        entries["options"] = try Self.json(options)
        for (key, value) in extra { entries[Self.extraPrefix + key] = value }
        return entries
    }

    /// Parses progress from checkpoint metadata; throws naming `path` and the key that is missing or malformed.
    public init(metadata: [String: String], path: String) throws {
        func invalid(_ key: String, _ reason: String) -> CheckpointError {
            .invalidMetadata(path: path, key: key, reason: reason)
        }
        func required(_ key: String) throws -> String {
            guard let text = metadata[key] else { throw invalid(key, "is missing") }
            return text
        }
        func number<Value: LosslessStringConvertible>(_ key: String, _ text: String, as type: Value.Type) throws -> Value {
            guard let value = Value(text) else { throw invalid(key, "is '\(text)', not a valid \(Value.self)") }
            return value
        }
        func decoded<Value: Decodable>(_ key: String, as type: Value.Type) throws -> Value? {
            guard let text = metadata[key] else { return nil }
            let json = Data(text.utf8)
            do {
                return try Self.decoder.decode(Value.self, from: json)
            } catch {
                throw invalid(key, "is not the JSON of \(Value.self) (\(SafeTensorsHeader.shortReason(error, json: json)))")
            }
        }
        epochsCompleted = try number("epoch", required("epoch"), as: Int.self)
        globalStep = try number("global_step", required("global_step"), as: Int.self)
        monitor = metadata["monitor"]
        bestValue = try metadata["best_value"].map { try number("best_value", $0, as: Double.self) }
        seed = try metadata["seed"].map { try number("seed", $0, as: UInt64.self) }
        randomState = try metadata["random_state"].map { text in
            try text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false)
                .map { try number("random_state", String($0), as: UInt64.self) }
        }
        history = try decoded("history", as: History.self) ?? History()
        options = try decoded("options", as: [String: String].self) ?? [:]
        extra = [:]
        for (key, value) in metadata where key.hasPrefix(Self.extraPrefix) {
            extra[String(key.dropFirst(Self.extraPrefix.count))] = value
        }
    }

    private static let nonConforming = (positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonConforming.positiveInfinity, negativeInfinity: nonConforming.negativeInfinity,
            nan: nonConforming.nan)
        return decoder
    }

    /// `value` as compact JSON with sorted keys; NaN and infinities as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    private static func json<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonConforming.positiveInfinity, negativeInfinity: nonConforming.negativeInfinity,
            nan: nonConforming.nan)
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
