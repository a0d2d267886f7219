import Foundation
import StrataData
import StrataPlot
import StrataRetrieval

/// The pictures of a retrieval run: each cluster's members, probes beside their nearest enrolled photos,
/// DIR and FAR against the threshold, and the DET curve.
enum RetrievalPictures {
    /// Each cluster's members, one row per cluster (wrapped past 12), captioned `cluster: label`. `pixels` gives an item's
    /// image `(1, H, W)` of `size` `[H, W]`.
    static func clusterGrid(_ index: IVFIndex, size: [Int], pixels load: (IndexItem) throws -> [UInt8]) throws -> ImageGrid {
        let columns = max(1, min(index.lists.map(\.count).max() ?? 1, 12))
        var grid = ImageGrid(title: "Clusters of the gallery, one per row (cluster: person)", columns: columns)
        let blank = [UInt8](repeating: 255, count: size[0] * size[1])
        for (number, list) in index.lists.enumerated() where list.count > 0 {
            for item in list.items {
                grid.add(image: try load(item), width: size[1], height: size[0], caption: "\(number): \(item.label)")
            }
            for _ in 0..<((columns - list.count % columns) % columns) {
                grid.add(image: blank, width: size[1], height: size[0])
            }
        }
        return grid
    }

    /// One row per probe: the probe (captioned `truth → answer`, or just the answer when the truth is not
    /// known), then its nearest enrolled photos with their similarities, green when they show the probe's
    /// identity. A stranger's truth is `stranger`.
    static func matchesGrid(_ probes: [(pixels: [UInt8], truth: String?, match: Match)], size: [Int],
                            neighbours: Int, pixels: (IndexItem) throws -> [UInt8]) rethrows -> ImageGrid {
        let green = Color(red: 0, green: 0.5, blue: 0), red = Color(red: 0.8, green: 0, blue: 0)
        var grid = ImageGrid(title: "Probes (true → answer) and their nearest enrolled photos (cosine)",
                             columns: neighbours + 1)
        for probe in probes {
            let answer = probe.match.label ?? "unknown"
            let colour = probe.truth.map { answer == $0 || ($0 == "stranger" && probe.match.label == nil) ? green : red }
            grid.add(image: probe.pixels, width: size[1], height: size[0],
                     caption: probe.truth.map { "\($0) → \(answer)" } ?? answer, captionColor: colour)
            for hit in probe.match.neighbours.prefix(neighbours) {
                grid.add(image: try pixels(hit.item), width: size[1], height: size[0],
                         caption: String(format: "%@ %.2f", hit.item.label, hit.score),
                         captionColor: hit.item.label == probe.truth ? green : nil)
            }
            for _ in probe.match.neighbours.count..<neighbours {
                grid.add(image: [UInt8](repeating: 255, count: size[0] * size[1]), width: size[1], height: size[0])
            }
        }
        return grid
    }

    /// DIR and FAR against the threshold, with the chosen threshold as a dashed vertical line.
    static func dirFarChart(_ metrics: OpenSetMetrics, chosen: Float, title: String) -> LineChart {
        let points = metrics.curve().filter { $0.threshold.isFinite }
        var chart = LineChart(title: title, xLabel: "threshold (cosine similarity)", yLabel: "rate")
        let x = points.map { Double($0.threshold) }
        chart.add(series: "DIR (known, right and accepted)", x: x, y: points.map(\.detectionAndIdentificationRate))
        chart.add(series: "FAR (strangers accepted)", x: x, y: points.map(\.falseAlarmRate))
        chart.add(series: "FRR (known rejected)", x: x, y: points.map(\.falseRejectionRate), style: .dotted)
        chart.add(series: String(format: "chosen threshold %.3f", chosen), x: [Double(chosen), Double(chosen)], y: [0, 1],
                  style: .dashed)
        chart.yRange = 0...1
        return chart
    }

    /// The DET curve: miss rate (1 − DIR) against false-alarm rate, over all thresholds.
    static func detChart(_ metrics: OpenSetMetrics, title: String) -> LineChart {
        // From the highest threshold down: FAR only grows and the miss rate only falls along the way.
        let points = metrics.curve().sorted { $0.threshold > $1.threshold }
        var chart = LineChart(title: title, xLabel: "false-alarm rate (strangers accepted)",
                              yLabel: "miss rate (1 − DIR)")
        chart.add(series: "open-set identification", x: points.map(\.falseAlarmRate), y: points.map(\.missRate))
        chart.xRange = 0...1
        chart.yRange = 0...1
        return chart
    }
}
