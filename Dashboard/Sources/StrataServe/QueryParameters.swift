import Foundation

/// The query of an API request (`?where=...&limit=10`), its values read with errors that name the field.
public struct QueryParameters: Sendable {
    /// The values by name (the last one when a name repeats), percent-decoded.
    public var values: [String: String]

    /// A query of the given values.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The value of `name`, nil when absent or empty.
    public subscript(name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// The whole number `name`, `fallback` when absent; throws a 400 naming the field when it is not one or below `minimum`.
    func integer(_ name: String, default fallback: Int? = nil, minimum: Int = 0) throws -> Int? {
        guard let text = self[name] else { return fallback }
        guard let value = Int(text), value >= minimum else {
            throw APIError.badRequest("\(name): '\(text)' is not a whole number of at least \(minimum)")
        }
        return value
    }

    /// The list of run numbers `name` (`1,2,3`); throws a 400 naming the field when one is not a number.
    func runIDs(_ name: String) throws -> [Int64] {
        guard let text = self[name] else { throw APIError.badRequest("\(name): give the runs' numbers, comma-separated") }
        return try text.split(separator: ",").map { item in
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard let id = Int64(trimmed) else { throw APIError.badRequest("\(name): '\(trimmed)' is not a run number") }
            return id
        }
    }

    /// One of `choices` for `name` (`fallback` when absent); throws a 400 listing the choices.
    func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, default fallback: Choice) throws -> Choice
    where Choice.RawValue == String {
        guard let text = self[name] else { return fallback }
        guard let value = Choice(rawValue: text) else {
            throw APIError.badRequest("\(name): '\(text)' is not one of " + Choice.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }
}
