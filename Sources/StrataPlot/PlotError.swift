import Foundation

/// An error a user of StrataPlot can cause: bad data, an unknown file type or an unwritable path.
///
/// Every message names the culprit: the file, the chart or the field.
///
///     do { try chart.save(to: "plots/accuracy.png") }
///     catch let error as PlotError { print(error) }   // cannot write chart to 'plots/accuracy.png': …
public enum PlotError: Error, Equatable, Sendable {
    /// The file's extension is not one StrataPlot can write (`.png`, `.svg`, `.pdf`).
    case unknownFormat(path: String)
    /// The file could not be written; `reason` says why.
    case cannotWrite(path: String, reason: String)
    /// The chart has no data at all; `chart` names it and `hint` says what to add.
    case emptyChart(chart: String, hint: String)
    /// One field of the chart's data holds no values.
    case emptyData(field: String)
    /// Two fields that must agree in length do not; `detail` gives both lengths.
    case mismatchedLengths(field: String, detail: String)
    /// A field holds a value that cannot be drawn (for example a negative value on a log axis).
    case invalidValue(field: String, detail: String)
    /// Cairo reported a failure while drawing or encoding.
    case drawingFailed(String)
}

extension PlotError: CustomStringConvertible, LocalizedError {
    /// A one-line message that names the file, chart or field at fault.
    public var description: String {
        switch self {
        case .unknownFormat(let path):
            let ext = (path as NSString).pathExtension
            let shown = ext.isEmpty ? "no extension" : "unknown extension '.\(ext)'"
            return "cannot save chart to '\(path)': \(shown); use .png, .svg or .pdf"
        case .cannotWrite(let path, let reason):
            return "cannot write chart to '\(path)': \(reason)"
        case .emptyChart(let chart, let hint):
            return "\(chart) has nothing to draw: \(hint)"
        case .emptyData(let field):
            return "\(field) is empty"
        case .mismatchedLengths(let field, let detail):
            return "\(field): \(detail)"
        case .invalidValue(let field, let detail):
            return "\(field): \(detail)"
        case .drawingFailed(let message):
            return "cairo failed while drawing the chart: \(message)"
        }
    }

    /// The same text as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}

extension PlotError {
    /// How messages name a chart: `LineChart 'Accuracy'`, or just `LineChart` when untitled.
    static func chartName(_ kind: String, _ title: String?) -> String {
        guard let title, !title.isEmpty else { return kind }
        return "\(kind) '\(title)'"
    }
}
