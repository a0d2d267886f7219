import Foundation

/// The parsed JSON sidecar of an index file, with typed access whose errors name the file and field.
struct IndexSidecar {
    /// Where the sidecar was read from.
    let url: URL
    /// The top-level JSON object.
    let object: [String: Any]

    /// Reads and parses the sidecar at `url`.
    init(url: URL) throws {
        self.url = url
        guard FileManager.default.fileExists(atPath: url.path) else { throw IndexError.missingFile(path: url.path) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw IndexError.io(path: url.path, reason: error.localizedDescription)
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw IndexError.badJSON(path: url.path, reason: "\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error)")
        }
        guard let object = parsed as? [String: Any] else {
            throw IndexError.badJSON(path: url.path, reason: "the top level is not an object")
        }
        self.object = object
    }

    /// Field `name` as an integer (a whole JSON number).
    func field(_ name: String) throws -> Int {
        guard let number = try value(name) as? NSNumber,
              let whole = Int(exactly: number.doubleValue) else { throw wrongKind(name, "a whole number") }
        return whole
    }

    /// Field `name` as a string.
    func field(_ name: String) throws -> String {
        guard let string = try value(name) as? String else { throw wrongKind(name, "a string") }
        return string
    }

    /// Field `name` as an array of integers.
    func field(_ name: String) throws -> [Int] {
        guard let numbers = try value(name) as? [NSNumber],
              let wholes = Optional(numbers.compactMap { Int(exactly: $0.doubleValue) }), wholes.count == numbers.count else {
            throw wrongKind(name, "an array of whole numbers")
        }
        return wholes
    }

    /// Field `name` as an array of strings.
    func field(_ name: String) throws -> [String] {
        guard let strings = try value(name) as? [String] else { throw wrongKind(name, "an array of strings") }
        return strings
    }

    /// The items from the `ids`, `labels` and `paths` arrays, checked against `count`.
    func items() throws -> [IndexItem] {
        let count: Int = try field("count")
        guard count >= 0 else { throw IndexError.invalidField(path: url.path, field: "count", reason: "is negative (\(count))") }
        let ids: [Int] = try field("ids"), labels: [String] = try field("labels"), paths: [String] = try field("paths")
        for (name, length) in [("ids", ids.count), ("labels", labels.count), ("paths", paths.count)] where length != count {
            throw IndexError.invalidField(path: url.path, field: name, reason: "holds \(length) entries but field 'count' is \(count)")
        }
        return (0..<count).map { IndexItem(id: ids[$0], label: labels[$0], path: paths[$0]) }
    }

    /// The raw value of field `name`, or an error saying it is missing.
    private func value(_ name: String) throws -> Any {
        guard let value = object[name] else { throw IndexError.invalidField(path: url.path, field: name, reason: "is missing") }
        return value
    }

    /// The error for field `name` not being `expected`.
    private func wrongKind(_ name: String, _ expected: String) -> IndexError {
        IndexError.invalidField(path: url.path, field: name, reason: "is not \(expected)")
    }
}
