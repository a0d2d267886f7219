import Foundation
import Hummingbird
import StrataTracking

/// The dashboard's routes: the pages, the JSON API and the run folders' files, behind the token check
/// when a token is set.
///
/// ```swift
/// let router = DashboardRouter.make(api: DashboardAPI(store: try RunStore(path: "runs/strata.sqlite")), token: nil)
/// let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 6006)))
/// ```
public enum DashboardRouter {
    /// The largest request body read (an archive request's list of runs).
    static let maximumBodyBytes = 1 << 20

    /// The router over `api`; with a `token`, every request must carry it (else 401).
    public static func make(api: DashboardAPI, token: String?) -> Router<BasicRequestContext> {
        let router = Router()
        if let token { router.add(middleware: TokenMiddleware(token: token)) }
        router.get("/") { _, _ in page(.runs) }
        router.get("/compare") { _, _ in page(.compare) }
        router.get("/runs/:id") { _, _ in page(.run) }
        router.get("/api/runs") { request, _ in json { try api.runs(query(request)) } }
        router.get("/api/runs/:id") { _, context in json { try api.run(context.parameters.get("id") ?? "") } }
        router.get("/api/runs/:id/metrics") { request, context in
            json { try api.metrics(context.parameters.get("id") ?? "", query(request)) }
        }
        router.get("/api/compare") { request, _ in json { try api.compare(query(request)) } }
        router.get("/api/params") { _, _ in json { try api.names() } }
        router.post("/api/runs/archive") { request, _ in
            let body = try await request.body.collect(upTo: maximumBodyBytes)
            return json { try api.archive(body: Data(body.readableBytesView)) }
        }
        router.get("/runs/:id/files/**") { _, context in
            do {
                let run = try api.record(context.parameters.get("id") ?? "")
                let file = try RunFolderGuard.file(in: run.folder, relativePath: context.parameters.getCatchAll().map(String.init))
                let data = try Data(contentsOf: file)
                return Response(status: .ok, headers: [.contentType: RunFolderGuard.contentType(of: file.path)],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
            } catch let error as APIError {
                return response(error.body, status: error.status)
            }
        }
        return router
    }

    /// The request's query, decoded as a form: `+` is a space (as Python's `urlencode` and HTML forms send it),
    /// `%2B` a plus sign.
    static func query(_ request: Request) -> QueryParameters {
        var values: [String: String] = [:]
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            values[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return QueryParameters(values)
    }

    /// The document `body` returns as a 200 response, or its `APIError` as JSON; any other error as a 500.
    static func json(_ body: () throws -> JSONValue) -> Response {
        do {
            return response(try body(), status: 200)
        } catch let error as APIError {
            return response(error.body, status: error.status)
        } catch {
            return response(APIError(500, "\(error)").body, status: 500)
        }
    }

    /// A JSON response.
    static func response(_ document: JSONValue, status: Int) -> Response {
        Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: document.text)))
    }

    /// A page of the dashboard as HTML.
    static func page(_ page: DashboardPage) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: page.html)))
    }
}
