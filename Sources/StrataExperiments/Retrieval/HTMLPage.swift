import Foundation
import StrataPlot

/// A self-contained HTML report: tables of results, then charts embedded as PNG data URLs, then
/// preformatted text (the model summary, printouts).
struct HTMLPage {
    /// The page's title and first heading.
    var title: String
    /// Sections of the page, in order.
    private var body = ""

    init(title: String) { self.title = title }

    /// The style sheet of every Strata report page.
    static let style = """
        <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
        th{background:#f3f3f3}img{max-width:100%}pre{background:#f8f8f8;padding:1em;overflow-x:auto}</style>
        """

    /// Escapes text for HTML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A table with a header row.
    mutating func table(_ heading: String, header: [String], rows: [[String]]) {
        body += "<h2>\(Self.escape(heading))</h2><table><tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>"
        for row in rows { body += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>" }
        body += "</table>\n"
    }

    /// A chart, rendered to PNG and embedded.
    mutating func chart(_ heading: String, _ chart: any Chart) throws {
        let png = try chart.render(as: .png)
        body += "<h2>\(Self.escape(heading))</h2><img alt=\"\(Self.escape(heading))\" "
            + "src=\"data:image/png;base64,\(Data(png).base64EncodedString())\">\n"
    }

    /// Preformatted text.
    mutating func text(_ heading: String, _ text: String) {
        body += "<h2>\(Self.escape(heading))</h2><pre>\(Self.escape(text))</pre>\n"
    }

    /// The whole page.
    var html: String {
        """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
        \(Self.style)
        </head><body><h1>\(Self.escape(title))</h1>
        \(body)</body></html>

        """
    }
}
