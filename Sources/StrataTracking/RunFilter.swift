/// A condition on runs, as `strata runs list --where` and the dashboard take it:
/// `params.learning_rate < 0.01 and (metrics.val_accuracy > 0.9 or status = crashed)`.
///
/// Fields: `params.NAME` (the run's parameter), `metrics.NAME` (the metric's best value), `latest.NAME`
/// (its latest value), and the run's own `id`, `name`, `experiment`, `status` (running, finished, failed,
/// killed, crashed), `command`, `folder`, `revision`, `world_size`, `started`, `ended` (seconds since 1970).
/// Comparisons `<`, `<=`, `>`, `>=`, `=` (or `==`), `!=` (or `<>`) take a number, a quoted string or a
/// bare word; conditions combine with `and`, `or`, `not` and parentheses. A number compares only with
/// numeric values (a parameter "default" is neither below nor above 0.01); a run without the field
/// does not match.
public indirect enum RunFilter: Equatable, Sendable {
    /// `field op value`.
    case comparison(RunField, ComparisonOperator, FilterValue)
    /// Both hold.
    case and(RunFilter, RunFilter)
    /// Either holds.
    case or(RunFilter, RunFilter)
    /// The condition does not hold.
    case not(RunFilter)

    /// Parses `text`; throws a `FilterError` naming the token at fault and its position.
    public init(parsing text: String) throws {
        var parser = RunFilterParser(text)
        self = try parser.parseWhole()
    }

    /// The condition as SQL over the `runs` table (aliased `runs`), with its arguments in order;
    /// `staleBefore` is the heartbeat time before which a running run counts as crashed.
    func sql(staleBefore: Double) -> (sql: String, arguments: [FilterValue]) {
        switch self {
        case .comparison(let field, let op, let value):
            let (expression, fieldArguments) = field.sql(staleBefore: staleBefore)
            switch value {
            case .number:
                return ("(typeof(\(expression)) IN ('integer', 'real') AND \(expression) \(op.rawValue) ?)",
                        fieldArguments + fieldArguments + [value])
            case .text:
                return ("(\(expression) \(op.rawValue) ?)", fieldArguments + [value])
            }
        case .and(let left, let right):
            let (l, la) = left.sql(staleBefore: staleBefore), (r, ra) = right.sql(staleBefore: staleBefore)
            return ("(\(l) AND \(r))", la + ra)
        case .or(let left, let right):
            let (l, la) = left.sql(staleBefore: staleBefore), (r, ra) = right.sql(staleBefore: staleBefore)
            return ("(\(l) OR \(r))", la + ra)
        case .not(let inner):
            let (sql, arguments) = inner.sql(staleBefore: staleBefore)
            return ("(NOT COALESCE(\(sql), 0))", arguments)
        }
    }
}

/// A comparison of `RunFilter`.
public enum ComparisonOperator: String, Equatable, Sendable {
    /// Less than.
    case less = "<"
    /// Less than or equal.
    case lessOrEqual = "<="
    /// Greater than.
    case greater = ">"
    /// Greater than or equal.
    case greaterOrEqual = ">="
    /// Equal.
    case equal = "="
    /// Not equal.
    case notEqual = "!="
}

/// A literal of `RunFilter`: a number, or text (quoted or a bare word).
public enum FilterValue: Equatable, Sendable {
    /// A number (`0.01`, `-3`, `1e-4`).
    case number(Double)
    /// Text (`'adam'`, `"cnn"`, `finished`).
    case text(String)
}

/// What a `RunFilter` or a sort key names: a parameter, a metric's best or latest value, or a column of the run.
public enum RunField: Equatable, Hashable, Sendable {
    /// `params.NAME`.
    case param(String)
    /// `metrics.NAME`: the best value.
    case bestMetric(String)
    /// `latest.NAME`: the latest value.
    case latestMetric(String)
    /// One of the run's own columns (`id`, `name`, `status`, …).
    case column(String)

    /// The run's own columns a filter or sort may name.
    public static let columns = ["id", "name", "experiment", "status", "command", "folder", "revision", "world_size",
                                 "started", "ended"]

    /// Parses `params.X`, `metrics.X`, `latest.X` or a column name; nil when it is none of them.
    public init?(_ text: String) {
        if let dot = text.firstIndex(of: ".") {
            let prefix = text[..<dot], name = String(text[text.index(after: dot)...])
            guard !name.isEmpty else { return nil }
            switch prefix {
            case "params", "param": self = .param(name)
            case "metrics", "metric": self = .bestMetric(name)
            case "latest": self = .latestMetric(name)
            default: return nil
            }
        } else if Self.columns.contains(text) {
            self = .column(text)
        } else {
            return nil
        }
    }

    /// The field as written (`params.learning_rate`).
    public var text: String {
        switch self {
        case .param(let name): return "params." + name
        case .bestMetric(let name): return "metrics." + name
        case .latestMetric(let name): return "latest." + name
        case .column(let name): return name
        }
    }

    /// An SQL expression of the field for the row `runs`, with its arguments.
    func sql(staleBefore: Double) -> (String, [FilterValue]) {
        switch self {
        case .param(let name):
            return ("(SELECT value FROM params WHERE run_id = runs.id AND name = ?)", [.text(name)])
        case .bestMetric(let name):
            return ("(SELECT best FROM metric_summaries WHERE run_id = runs.id AND name = ?)", [.text(name)])
        case .latestMetric(let name):
            return ("(SELECT latest FROM metric_summaries WHERE run_id = runs.id AND name = ?)", [.text(name)])
        case .column("status"):
            return ("(CASE WHEN runs.status = 'running' AND runs.heartbeat < ? THEN 'crashed' ELSE runs.status END)",
                    [.number(staleBefore)])
        case .column("experiment"):
            return ("(SELECT name FROM experiments WHERE id = runs.experiment_id)", [])
        case .column(let name):
            return (Self.columns.contains(name) ? "runs.\(name)" : "NULL", [])
        }
    }
}

/// A sort key of `strata runs list --sort`: a field, descending when written with a leading `-`.
public struct RunSort: Equatable, Sendable {
    /// The field sorted by.
    public var field: RunField
    /// Largest first.
    public var descending: Bool

    /// A sort by `field`.
    public init(field: RunField, descending: Bool) {
        self.field = field
        self.descending = descending
    }

    /// Parses `-metrics.val_accuracy` or `started`; throws naming the key when it is no field.
    public init(parsing text: String) throws {
        let descending = text.hasPrefix("-")
        let name = descending || text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard let field = RunField(name) else {
            throw FilterError("--sort: '\(name)' is not a field; use params.NAME, metrics.NAME, latest.NAME or one of "
                              + RunField.columns.joined(separator: ", "))
        }
        self.init(field: field, descending: descending)
    }
}

/// A filter or sort key that cannot be read; the message names the token at fault and where it is.
public struct FilterError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
