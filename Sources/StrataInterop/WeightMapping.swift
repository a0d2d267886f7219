import Foundation

/// Which tensor of a weight file fills each Strata parameter or buffer, and how it is rearranged.
///
/// Keys are Strata's names (`model.parameters` and `model.buffers`: `dense.kernel`,
/// `batch_normalization.moving_mean`); values name a tensor of the file (`0.weight`, `dense/kernel`)
/// with a `WeightTransform`. Built in: `WeightMapping.pytorch(for:inputShape:)` and
/// `WeightMapping.keras(for:inputShape:)`; custom ones load from JSON:
///
/// ```json
/// {
///   "tensors": {
///     "dense.kernel": {"source": "fc1.weight", "transform": "transpose"},
///     "dense.bias": "fc1.bias"
///   },
///   "ignore": [".num_batches_tracked"]
/// }
/// ```
///
/// A value may be the source name alone (transform `none`). File tensors whose names end with a string
/// of `ignore` are skipped; any other file tensor that no entry uses is reported as unexpected.
public struct WeightMapping: Sendable, Equatable {
    /// Where one Strata tensor comes from.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name in the file.
        public var source: String
        /// How the file's tensor becomes Strata's.
        public var transform: WeightTransform
        /// The file tensor `source`, rearranged by `transform`.
        public init(_ source: String, transform: WeightTransform = .none) {
            self.source = source
            self.transform = transform
        }
    }

    /// Strata parameter or buffer name → its source.
    public var entries: [String: Entry]
    /// File tensors whose names end with one of these are not imported and not reported.
    public var ignoredSuffixes: [String]

    /// A mapping from explicit entries.
    public init(entries: [String: Entry], ignoredSuffixes: [String] = []) {
        self.entries = entries
        self.ignoredSuffixes = ignoredSuffixes
    }

    /// Whether the file tensor `name` is skipped.
    public func ignores(_ name: String) -> Bool { ignoredSuffixes.contains { name.hasSuffix($0) } }

    /// Reads a JSON mapping (format above); throws naming the file and the entry at fault.
    public static func load(from url: URL) throws -> WeightMapping {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WeightImportError.mapping(path: url.path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try decode(data, path: url.path)
    }

    /// Parses a JSON mapping; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws -> WeightMapping {
        func fail(_ reason: String) -> WeightImportError { .mapping(path: path, reason: reason) }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        let unknownKeys = Set(root.keys).subtracting(["tensors", "ignore"]).sorted()
        guard unknownKeys.isEmpty else {
            throw fail("unknown key\(unknownKeys.count == 1 ? "" : "s") \(unknownKeys.joined(separator: ", ")); "
                + "expected \"tensors\" and optionally \"ignore\"")
        }
        guard let tensors = root["tensors"] as? [String: Any] else {
            throw fail("\"tensors\" must be an object of Strata name → source name or {\"source\", \"transform\"}")
        }
        var entries: [String: Entry] = [:]
        for (name, value) in tensors {
            if let source = value as? String {
                entries[name] = Entry(source)
            } else if let object = value as? [String: Any], let source = object["source"] as? String {
                let text = object["transform"] as? String ?? "none"
                guard let transform = WeightTransform(text: text) else {
                    throw fail("tensors.\(name): unknown transform '\(text)'; use none, transpose, hwio-to-oihw "
                        + "or nhwc-rows:C,H,W")
                }
                entries[name] = Entry(source, transform: transform)
            } else {
                throw fail("tensors.\(name) must be a source name or {\"source\": …, \"transform\": …}")
            }
        }
        let ignore = root["ignore"] ?? [String]()
        guard let suffixes = ignore as? [String] else { throw fail("\"ignore\" must be a list of strings") }
        return WeightMapping(entries: entries, ignoredSuffixes: suffixes)
    }

    /// This mapping as JSON (the format `load(from:)` reads), keys sorted.
    public func jsonData() throws -> Data {
        var tensors: [String: Any] = [:]
        for (name, entry) in entries {
            tensors[name] = entry.transform == .none ? entry.source as Any
                : ["source": entry.source, "transform": entry.transform.text]
        }
        return try JSONSerialization.data(withJSONObject: ["tensors": tensors, "ignore": ignoredSuffixes],
                                          options: [.prettyPrinted, .sortedKeys])
    }
}
