/// The pages of the dashboard, each one HTML document holding its CSS and scripts (no CDN, no external files).
enum DashboardPage {
    /// `/`: the runs table, its filter, the parallel coordinates.
    case runs
    /// `/compare?ids=1,2&metric=loss`: the chosen runs' curves overlaid.
    case compare
    /// `/runs/<id>`: one run's parameters, curves, images and report.
    case run

    /// The page's title.
    var title: String {
        switch self {
        case .runs: return "Runs"
        case .compare: return "Compare runs"
        case .run: return "Run"
        }
    }

    /// The page's body (before its scripts).
    var body: String {
        switch self {
        case .runs: return PageMarkup.runs
        case .compare: return PageMarkup.compare
        case .run: return PageMarkup.run
        }
    }

    /// The scripts the page runs, in order.
    var scripts: [String] {
        switch self {
        case .runs: return [CommonScript.text, ChartScript.text, ParallelScript.text, RunsScript.text]
        case .compare: return [CommonScript.text, ChartScript.text, CompareScript.text]
        case .run: return [CommonScript.text, ChartScript.text, RunScript.text]
        }
    }

    /// The whole document.
    var html: String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Strata</title>
        <link rel="icon" href="data:,">
        <style>
        \(DashboardStyle.text)
        </style>
        </head>
        <body data-page="\(self)">
        <header class="top"><a class="brand" id="home-link" href="/">Strata</a><span class="subtitle">\(title)</span></header>
        <main>
        \(body)
        </main>
        \(scripts.map { "<script>\n\($0)\n</script>" }.joined(separator: "\n"))
        </body>
        </html>
        """
    }
}
