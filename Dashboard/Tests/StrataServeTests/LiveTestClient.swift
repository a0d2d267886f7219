import Foundation
import Hummingbird
import Logging
import NIOCore
import StrataServe
import DashboardTestSupport

/// The dashboard's router served for real on 127.0.0.1 (a free port) while a test's body runs, with
/// StrataTestSupport's HTTP/1.1 client over a plain socket. It stands in for HummingbirdTesting's client, whose package
/// brings AsyncHTTPClient, SwiftNIO SSL and HTTP/2 (BoringSSL's ~900 C files) into every test build; the
/// socket client also sends a path exactly as written (`/../`, `%2E%2E`), which the file guard's tests need.
struct LiveRouter {
    /// How the tests name the one mode there is (HummingbirdTesting's spelling).
    enum Mode { case router }

    /// The router the application serves.
    let router: Router<BasicRequestContext>

    /// Starts the application on a free loopback port, runs `body` with a client for it, then shuts it down.
    func test(_ mode: Mode, _ body: @Sendable (TestClient) async throws -> Void) async throws {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        // Stopping by cancellation makes Hummingbird log errors about the open channel: keep only critical ones.
        var logger = Logger(label: "strata-serve-tests")
        logger.logLevel = .critical
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { channel in
                                          portSink.yield(channel.localAddress?.port ?? 0)
                                          portSink.finish()
                                      }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw ServeError("the test server did not report its port")
            }
            do {
                try await body(TestClient(port: port))
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}

/// A response as the tests read it: status, headers and the whole body.
struct TestResponse: Sendable {
    /// The status.
    let status: HTTPResponse.Status
    /// The headers.
    let headers: HTTPFields
    /// The body (de-chunked).
    let body: ByteBuffer
}

/// Sends one request per connection to the test server (`LoopbackHTTP`, paths as written) and reads the answer.
struct TestClient: Sendable {
    /// The server's port on 127.0.0.1.
    let port: Int

    /// `method uri` with `headers` and `body`; throws when the server cannot be reached or answers nothing in 10 s.
    func execute(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> TestResponse {
        let port = self.port
        let fields = headers.map { ($0.name.rawName, $0.value) }
        let payload = body.map { Data($0.readableBytesView) }
        let answer = try await Task.detached {
            try LoopbackHTTP.exchange(port: port, method: method.rawValue, path: uri, headers: fields, body: payload, timeout: 10)
        }.value
        var responseHeaders = HTTPFields()
        for (name, value) in answer.headers {
            guard let fieldName = HTTPFields.Element.Name(name) else { continue }
            responseHeaders.append(HTTPFields.Element(name: fieldName, value: value))
        }
        return TestResponse(status: HTTPResponse.Status(code: answer.status), headers: responseHeaders, body: ByteBuffer(bytes: answer.body))
    }
}
