import Foundation
import StrataTracking

/// The dashboard's JSON API over a run store, apart from HTTP: each endpoint is a method that takes the
/// request's query (and body) and returns the JSON document, or throws an `APIError` (400 or 404).
public struct DashboardAPI: Sendable {
    /// The store read (and archived in).
    public let store: RunStore

    /// The API over `store`.
    public init(store: RunStore) { self.store = store }

    /// `GET /api/runs?where=&sort=&limit=&archived=0|1|all`: `{"total": N, "runs": [...]}`, `total` counting every
    /// matching run before `limit`.
    public func runs(_ query: QueryParameters, now: Double = Date().timeIntervalSince1970) throws -> JSONValue {
        let filter: RunFilter?
        do {
            filter = try query["where"].map(RunFilter.init(parsing:))
        } catch let error as FilterError {
            throw APIError.badRequest("where: \(error.description)")
        }
        let sort: [RunSort]
        do {
            sort = try (query["sort"] ?? "").split(separator: ",").map { try RunSort(parsing: $0.trimmingCharacters(in: .whitespaces)) }
        } catch let error as FilterError {
            let message = error.description.hasPrefix("--sort: ") ? String(error.description.dropFirst(8)) : error.description
            throw APIError.badRequest("sort: \(message)")
        }
        let limit = try query.integer("limit")
        let archived = query["archived"] ?? "0"
        guard ["0", "1", "all"].contains(archived) else {
            throw APIError.badRequest("archived: '\(archived)' is not one of 0, 1, all")
        }
        var runs = try store.runs(where: filter, sort: sort, includeArchived: archived != "0", now: now)
        if archived == "1" { runs = runs.filter(\.archived) }
        let total = runs.count
        if let limit { runs = Array(runs.prefix(limit)) }
        let ids = runs.map(\.id)
        let params = try store.params(of: ids), summaries = try store.summaries(of: ids)
        let items = runs.map { run in
            Self.run(run, now: now, params: params[run.id] ?? [:], metrics: (summaries[run.id] ?? [:]).mapValues {
                .object([("latest", .number($0.latest)), ("best", .number($0.best)), ("step", .number(Double($0.latestStep)))])
            })
        }
        return .object([("total", .number(Double(total))), ("runs", .array(items))])
    }

    /// `GET /api/runs/<id>`: the run with its parameters, metric summaries and artifacts.
    public func run(_ reference: String, now: Double = Date().timeIntervalSince1970) throws -> JSONValue {
        let details = try store.details(of: try record(reference).id)
        let metrics = details.metrics.mapValues { summary -> JSONValue in
            .object([("latest", .number(summary.latest)), ("best", .number(summary.best)), ("step", .number(Double(summary.latestStep))),
                     ("best_step", .number(summary.bestStep.map(Double.init))), ("count", .number(Double(summary.count)))])
        }
        guard case .object(var members) = Self.run(details.run, now: now, params: details.params, metrics: metrics) else { return .null }
        members.append(("artifacts", .array(details.artifacts.map { artifact in
            .object([("path", .string(artifact.path)), ("kind", .string(artifact.kind)), ("bytes", .number(Double(artifact.bytes))),
                     ("sha256", .string(artifact.sha256))])
        })))
        return .object(members)
    }

    /// `GET /api/runs/<id>/metrics?name=&after=&max_points=&x=`: `{"series": [...]}`, one series per metric
    /// (every metric of the run when `name` is absent).
    public func metrics(_ reference: String, _ query: QueryParameters) throws -> JSONValue {
        let run = try record(reference)
        let names = try query["name"].map { [$0] } ?? Array((store.summaries(of: [run.id])[run.id] ?? [:]).keys).sorted()
        return .object([("series", .array(try names.map { try series(of: run, metric: $0, query) }))])
    }

    /// `GET /api/compare?ids=1,2&metric=&max_points=&x=`: one series of `metric` per run, each with its `run_id`.
    public func compare(_ query: QueryParameters) throws -> JSONValue {
        let ids = try query.runIDs("ids")
        guard let metric = query["metric"] else { throw APIError.badRequest("metric: name the metric to compare") }
        let items = try ids.map { id -> JSONValue in
            let run = try record(String(id))
            guard case .object(let members) = try series(of: run, metric: metric, query) else { return .null }
            return .object([("run_id", .number(Double(run.id))), ("run_name", .string(run.name)),
                            ("status", .string(run.displayedStatus()))] + members)
        }
        return .object([("series", .array(items))])
    }

    /// `POST /api/runs/archive` with `{"ids": [1, 2], "archived": true}`: archives (or shows again) the runs.
    public func archive(body: Data) throws -> JSONValue {
        let request: ArchiveRequest
        do {
            request = try JSONDecoder().decode(ArchiveRequest.self, from: body)
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("\(key.stringValue): missing; send {\"ids\": [1, 2], \"archived\": true}")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.first?.stringValue ?? "body"
            throw APIError.badRequest(field == "ids" ? "ids: expected a list of run numbers" : "\(field): expected true or false")
        } catch {
            throw APIError.badRequest("body: expected a JSON object {\"ids\": [1, 2], \"archived\": true}")
        }
        for id in request.ids { _ = try record(String(id)) }
        try store.setArchived(request.ids, request.archived)
        return .object([("ids", .array(request.ids.map { .number(Double($0)) })), ("archived", .bool(request.archived))])
    }

    /// The body of `POST /api/runs/archive`.
    private struct ArchiveRequest: Decodable {
        var ids: [Int64]
        var archived: Bool
    }

    /// `GET /api/params`: the names of the parameters and metrics in the store.
    public func names() throws -> JSONValue {
        .object([("params", .array(try store.parameterNames().map(JSONValue.string))),
                 ("metrics", .array(try store.metricNames().map(JSONValue.string)))])
    }

    /// The run numbered `reference`; throws a 404 when it is not a number or no run has it.
    public func record(_ reference: String) throws -> RunRecord {
        guard let id = Int64(reference), id > 0 else { throw APIError.notFound("run: '\(reference)' is not a run number") }
        do {
            return try store.run(String(id))
        } catch is TrackingError {
            throw APIError.notFound("run: no run \(id) in \(store.path)")
        }
    }

    /// One series of `run` as JSON: x relative to the run's start for wall time.
    private func series(of run: RunRecord, metric: String, _ query: QueryParameters) throws -> JSONValue {
        let after = try query.integer("after", minimum: Int.min)
        let maxPoints = try query.integer("max_points", default: 2000)!
        let axis: SeriesAxis = try query.choice("x", default: .step)
        let series = try store.series(runID: run.id, name: metric, after: after, maxPoints: maxPoints, x: axis)
        let offset = axis == .wall ? run.started : 0
        var members: [(String, JSONValue)] = [
            ("name", .string(metric)),
            ("x", .array(series.x.map { .number($0.map { $0 - offset }) })),
            ("y", .array(series.y.map { .number($0) })),
            ("downsampled", .bool(series.downsampled)),
        ]
        if let low = series.ymin, let high = series.ymax {
            members += [("ymin", .array(low.map { .number($0) })), ("ymax", .array(high.map { .number($0) }))]
        }
        members += [("last_step", .number((series.lastStep ?? after).map(Double.init))), ("points", .number(Double(series.pointCount)))]
        return .object(members)
    }

    /// A run's JSON record with its parameters and metrics.
    static func run(_ run: RunRecord, now: Double, params: [String: String], metrics: [String: JSONValue]) -> JSONValue {
        .object([
            ("id", .number(Double(run.id))), ("name", .string(run.name)), ("experiment", .string(run.experiment)),
            ("command", .string(run.command)), ("status", .string(run.displayedStatus(now: now))),
            ("started", .number(run.started)), ("ended", .number(run.ended)), ("heartbeat", .number(run.heartbeat)),
            ("folder", .string(run.folder)), ("revision", .string(run.revision)), ("world_size", .number(Double(run.worldSize))),
            ("archived", .bool(run.archived)),
            ("params", .object(params.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.parameter($0.value)) })),
            ("metrics", .object(metrics.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
        ])
    }
}
