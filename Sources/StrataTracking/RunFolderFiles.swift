import Foundation
import StrataData
import StrataTrain

/// What the store reads from a run folder: the parameters in `options.json`, the per-epoch history in
/// `history.json` or `history.csv`, the final numbers in `metrics.json`, and the folder's files as
/// artifacts. Live runs and `strata runs import` read the same files, so both record alike.
public enum RunFolderFiles {
    /// The parameters of the options at `url`: every scalar of the JSON object, nested objects flattened
    /// with dots, names in snake_case (`learningRate` → `learning_rate`, `modelOptions.dropout` →
    /// `model_options.dropout`); throws naming the file when it is not a JSON object.
    public static func params(optionsAt url: URL) throws -> [String: String] {
        guard let object = try jsonObject(at: url) else {
            throw TrackingError("\(url.path): not a JSON object of run options")
        }
        var params: [String: String] = [:]
        flatten(object, prefix: "", into: &params)
        return params
    }

    /// The final numbers of the metrics file at `url`: its top-level numbers (not the seed and thread
    /// count, which are parameters), names in snake_case; empty when the file is absent or unreadable.
    public static func results(metricsAt url: URL) -> [String: Double] {
        guard let object = try? jsonObject(at: url) else { return [:] }
        var results: [String: Double] = [:]
        for (key, value) in object where !["seed", "threads"].contains(key) {
            if case .number(let number) = value, number.isFinite { results[snakeCase(key)] = number }
        }
        return results
    }

    /// The per-epoch history of the folder: `history.json` when readable, else `history.csv`; nil when neither is.
    public static func history(in folder: URL) -> History? {
        if let data = try? Data(contentsOf: folder.appendingPathComponent("history.json")),
           let history = try? JSONDecoder().decode(History.self, from: data) {
            return history
        }
        guard let text = try? String(contentsOf: folder.appendingPathComponent("history.csv"), encoding: .utf8) else { return nil }
        let lines = text.split(whereSeparator: \.isNewline)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init),
              header.first == "epoch" else { return nil }
        var history = History()
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard let epoch = Int(cells[0]) else { continue }
            let logs = zip(header.dropFirst(), cells.dropFirst()).compactMap { name, cell in
                Double(cell).map { (name: name, value: $0) }
            }
            history.record(epoch: epoch, logs: logs)
        }
        return history
    }

    /// Every regular file under `folder` (hidden files and the temporaries of unfinished writes left
    /// out), with its kind, size and SHA-256, paths relative to the folder, sorted.
    public static func artifacts(in folder: URL) throws -> [Artifact] {
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey],
                                                  options: [.skipsHiddenFiles]) else {
            throw TrackingError("run folder \(folder.path) cannot be read")
        }
        let base = folder.standardizedFileURL.path
        var artifacts: [Artifact] = []
        for case let url as URL in enumerator {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true else { continue }
            var path = url.standardizedFileURL.path
            if path.hasPrefix(base + "/") { path.removeFirst(base.count + 1) }
            artifacts.append(Artifact(path: path, kind: Artifact.kind(of: path), bytes: Int64(values.fileSize ?? 0),
                                      sha256: try SHA256.hash(contentsOf: url).hex))
        }
        return artifacts.sorted { $0.path < $1.path }
    }

    /// `learningRate` → `learning_rate`; names already in snake_case are kept.
    public static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                if !result.isEmpty, result.last != "_", result.last != "." { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }

    private static func jsonObject(at url: URL) throws -> [String: JSONValue]? {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TrackingError("\(url.path) cannot be read: \(error.localizedDescription)")
        }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        return object
    }

    private static func flatten(_ object: [String: JSONValue], prefix: String, into params: inout [String: String]) {
        for (key, value) in object {
            let name = prefix + snakeCase(key)
            switch value {
            case .object(let nested): flatten(nested, prefix: name + ".", into: &params)
            case .number(let number): params[name] = text(of: number)
            case .bool(let flag): params[name] = flag ? "true" : "false"
            case .string(let text): params[name] = text
            case .other: break
            }
        }
    }

    /// A number as it was written: whole numbers without a fraction, others in Swift's shortest form.
    private static func text(of value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// A JSON value, decoded the same way on every platform (a number is never taken for a Boolean).
private enum JSONValue: Decodable {
    case object([String: JSONValue]), number(Double), bool(Bool), string(String), other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let object = try? container.decode([String: JSONValue].self) {
            self = .object(object)
        } else {
            self = .other
        }
    }
}
