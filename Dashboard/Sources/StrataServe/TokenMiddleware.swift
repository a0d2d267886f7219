import Foundation
import Hummingbird

/// Lets through only requests that carry the token: `Authorization: Bearer TOKEN`, `?token=TOKEN`, or the
/// cookie set when a page was opened with `?token=` (so the pages' images and the run's report load too);
/// others get 401 `{"error": ...}`.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The cookie that keeps the token after a page was opened with `?token=`.
    static var cookieName: String { "strata_token" }

    /// The token asked for.
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let queried = request.uri.queryParameters["token"].map(String.init)
        let cookie = request.cookies[Self.cookieName]?.value
        guard [header, queried, cookie].contains(where: { $0.map(matches) == true }) else {
            let error = APIError(401, "this dashboard needs its token: Authorization: Bearer TOKEN, or ?token=TOKEN in the address")
            var response = DashboardRouter.response(error.body, status: 401)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        var response = try await next(request, context)
        if queried.map(matches) == true, cookie.map(matches) != true {
            response.setCookie(Cookie(name: Self.cookieName, value: token, path: "/", httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// Whether `candidate` is the token, comparing every byte (no early exit that would time the match).
    func matches(_ candidate: String) -> Bool {
        let given = Array(candidate.utf8), expected = Array(token.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
        return difference == 0
    }
}
