import Foundation

/// What a metric series is plotted against.
public enum SeriesAxis: String, Sendable, CaseIterable {
    /// The optimizer step.
    case step
    /// The epoch (1-based; nil for points recorded without one).
    case epoch
    /// The wall-clock time, in seconds since 1970.
    case wall
}

/// The points of one metric of one run, raw or downsampled into buckets of steps.
/// Downsampled, each bucket gives its mean value at its first point's x, and its smallest and largest values,
/// so no extreme is lost; `x.count == y.count` (and `== ymin.count == ymax.count` when downsampled).
public struct MetricSeries: Sendable, Equatable {
    /// The metric.
    public var name: String
    /// The x of each point (or of each bucket's first point): a step, an epoch or a wall time; nil where unknown.
    public var x: [Double?]
    /// The value of each point (or each bucket's mean).
    public var y: [Double]
    /// Each bucket's smallest value (nil when not downsampled).
    public var ymin: [Double]?
    /// Each bucket's largest value (nil when not downsampled).
    public var ymax: [Double]?
    /// The highest step of the series' points after `after` (nil when there are none).
    public var lastStep: Int?
    /// The number of points the series covers.
    public var pointCount: Int

    /// Whether the points were grouped into buckets.
    public var downsampled: Bool { ymin != nil }
}

extension RunStore {
    /// The points of metric `name` of run `runID` whose step is above `after` (all when nil), against `x`;
    /// when more than `maxPoints` (> 0) points remain, they are grouped in SQL into at most `maxPoints`
    /// buckets of equal step ranges, each keeping its mean, smallest and largest value (no point is dropped);
    /// a bucket's x is its smallest (steps, epochs and wall times grow together).
    public func series(runID: Int64, name: String, after: Int? = nil, maxPoints: Int = 2000,
                       x axis: SeriesAxis = .step) throws -> MetricSeries {
        let column = Self.column(of: axis)
        let afterStep = after ?? Int.min
        let range = try database.query("""
            SELECT count(*) AS count, min(step) AS first, max(step) AS last FROM metrics
            WHERE run_id = ? AND name = ? AND step > ?
            """, [runID, name, afterStep])[0]
        let count = range.int("count")
        var series = MetricSeries(name: name, x: [], y: [], ymin: nil, ymax: nil,
                                  lastStep: count > 0 ? range.int("last") : nil, pointCount: count)
        if count == 0 { return series }
        if maxPoints <= 0 || count <= maxPoints {
            let rows = try database.query("""
                SELECT \(column) AS x, value FROM metrics WHERE run_id = ? AND name = ? AND step > ? ORDER BY step
                """, [runID, name, afterStep])
            series.x = rows.map { $0.optionalDouble("x") }
            series.y = rows.map { $0.double("value") }
            return series
        }
        // Bucket b holds the steps first + b * span / maxPoints ..< first + (b + 1) * span / maxPoints.
        let first = range.int("first"), span = range.int("last") - first + 1
        let rows = try database.query("""
            SELECT (step - ?) * ? / ? AS bucket, min(\(column)) AS x, avg(value) AS mean, min(value) AS low, max(value) AS high
            FROM metrics WHERE run_id = ? AND name = ? AND step > ?
            GROUP BY bucket ORDER BY bucket
            """, [first, maxPoints, span, runID, name, afterStep])
        series.x = rows.map { $0.optionalDouble("x") }
        series.y = rows.map { $0.double("mean") }
        series.ymin = rows.map { $0.double("low") }
        series.ymax = rows.map { $0.double("high") }
        return series
    }

    /// The names of every parameter recorded in the store, sorted.
    public func parameterNames() throws -> [String] {
        try database.query("SELECT DISTINCT name FROM params ORDER BY name").map { $0.text("name") }
    }

    /// The names of every metric recorded in the store, sorted.
    public func metricNames() throws -> [String] {
        try database.query("SELECT DISTINCT name FROM metric_summaries ORDER BY name").map { $0.text("name") }
    }

    /// The SQL column of `axis`.
    static func column(of axis: SeriesAxis) -> String {
        switch axis {
        case .step: return "step"
        case .epoch: return "epoch"
        case .wall: return "wall_time"
        }
    }
}
