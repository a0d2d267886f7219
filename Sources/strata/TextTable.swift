import Foundation

/// A table printed with aligned columns: numbers right-aligned, text left-aligned.
struct TextTable {
    /// The column headers.
    let headers: [String]
    /// The rows, one cell per header.
    private(set) var rows: [[String]] = []

    init(_ headers: [String]) { self.headers = headers }

    /// Adds a row (cells beyond the headers are dropped, missing ones left empty).
    mutating func add(_ cells: [String]) {
        rows.append(headers.indices.map { $0 < cells.count ? cells[$0] : "" })
    }

    /// The table as lines of text, two spaces between columns; columns of numbers (and `-`) right-aligned.
    var text: String {
        let widths = headers.indices.map { column in ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0 }
        let numeric = headers.indices.map { column in
            rows.contains { $0[column] != "-" } && rows.allSatisfy { $0[column] == "-" || Double($0[column]) != nil }
        }
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                let cell = cells[column], pad = String(repeating: " ", count: widths[column] - cell.count)
                return numeric[column] ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    /// A value with 4 significant digits (`0.9812`, `1.234e-05`), whole numbers in full (`10000`).
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(format: "%.4g", value)
    }

    /// A time as `2025-01-31 14:05`, in local time.
    static func date(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    /// A duration as `42.0 s`, `12m05s` or `3h07m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60)
    }
}
