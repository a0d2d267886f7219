import Foundation
import Hummingbird
import Logging
import NIOCore
import StrataServe

/// The dashboard's router served for real on 127.0.0.1 (a free port) while a test's body runs, with a
/// small HTTP/1.1 client over a plain socket. It stands in for HummingbirdTesting's client, whose package
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

/// Sends one request per connection (`Connection: close`) to the test server and reads the answer to the end.
struct TestClient: Sendable {
    /// The server's port on 127.0.0.1.
    let port: Int

    /// `method uri` with `headers` and `body`; throws when the server cannot be reached or answers nothing in 10 s.
    func execute(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> TestResponse {
        let port = self.port
        return try await Task.detached {
            try Self.send(port: port, uri: uri, method: method, headers: headers, body: body.map { Data($0.readableBytesView) })
        }.value
    }

    private static func send(port: Int, uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: Data?) throws -> TestResponse {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ServeError("\(method) \(uri): no socket") }
        defer { close(socket) }
        var wait = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw ServeError("\(method) \(uri): cannot connect to 127.0.0.1:\(port)") }
        var head = "\(method.rawValue) \(uri) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for field in headers { head += "\(field.name.rawName): \(field.value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        let message = Data((head + "\r\n").utf8) + (body ?? Data())
        try message.withUnsafeBytes { bytes in
            var sent = 0
            while sent < bytes.count {
                let count = Foundation.send(socket, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                guard count > 0 else { throw ServeError("\(method) \(uri): the request could not be sent") }
                sent += count
            }
        }
        var answer = Data(), buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw ServeError("\(method) \(uri): no answer within 10 s") }
            answer.append(contentsOf: buffer[0..<count])
        }
        guard let split = answer.range(of: Data("\r\n\r\n".utf8)) else { throw ServeError("\(method) \(uri): not an HTTP answer") }
        let lines = String(decoding: answer[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let code = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw ServeError("\(method) \(uri): no status line")
        }
        var fields = HTTPFields()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), let name = HTTPFields.Element.Name(String(line[..<colon])) else { continue }
            fields.append(HTTPFields.Element(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var content = Data(answer[split.upperBound...])
        if fields[.transferEncoding]?.lowercased().contains("chunked") == true { content = dechunked(content) }
        return TestResponse(status: HTTPResponse.Status(code: code), headers: fields, body: ByteBuffer(bytes: content))
    }

    /// The body of a chunked transfer: each chunk's hex size, CRLF, its bytes, CRLF, until a size of 0.
    private static func dechunked(_ data: Data) -> Data {
        var result = Data(), index = data.startIndex
        while let lineEnd = data[index...].range(of: Data("\r\n".utf8)),
              let size = Int(String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
                             .split(separator: ";").first ?? "", radix: 16), size > 0 {
            let start = lineEnd.upperBound, end = min(data.endIndex, start + size)
            result.append(data[start..<end])
            index = min(data.endIndex, end + 2)
        }
        return result
    }
}
