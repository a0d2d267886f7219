import Foundation

/// What went wrong with a request to a loopback server: the request and the reason.
public struct LoopbackHTTPError: Error, CustomStringConvertible {
    /// The request and the reason.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// One HTTP/1.1 request to a server on 127.0.0.1 over a plain socket (`Connection: close`), the path sent
/// exactly as written (`/../`, `%2E%2E`: the dashboard's file-guard tests need that). The dashboard's API
/// tests and the WebDriver client (chromedriver) use it: FoundationNetworking's URLSession (libcurl)
/// failed here on chromedriver's answers with "Failed writing header", and normalizes dot segments.
public enum LoopbackHTTP {
    /// The status, headers (in order) and body of `method path` to `127.0.0.1:port` with `headers` and `body`;
    /// throws naming the request when the connection fails or no answer comes within `timeout` seconds.
    public static func exchange(port: Int, method: String, path: String, headers: [(String, String)] = [], body: Data?,
                                timeout: Double) throws -> (status: Int, headers: [(String, String)], body: Data) {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw LoopbackHTTPError("\(method) \(path): no socket") }
        defer { close(socket) }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw LoopbackHTTPError("\(method) \(path): cannot connect to 127.0.0.1:\(port)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        let message = Data((head + "\r\n").utf8) + (body ?? Data())
        try message.withUnsafeBytes { bytes in
            var sent = 0
            while sent < bytes.count {
                let count = send(socket, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                guard count > 0 else { throw LoopbackHTTPError("\(method) \(path): the request could not be sent") }
                sent += count
            }
        }
        // Read until the server closes or, as chromedriver keeps the connection open, Content-Length bytes came.
        var answer = Data(), buffer = [UInt8](repeating: 0, count: 1 << 16)
        while !isComplete(answer) {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw LoopbackHTTPError("\(method) \(path): no answer within \(timeout) s") }
            answer.append(contentsOf: buffer[0..<count])
        }
        guard let split = answer.range(of: Data("\r\n\r\n".utf8)) else {
            throw LoopbackHTTPError("\(method) \(path): not an HTTP answer")
        }
        let lines = String(decoding: answer[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw LoopbackHTTPError("\(method) \(path): no status line")
        }
        let fields: [(String, String)] = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let chunked = fields.contains { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }
        let content = Data(answer[split.upperBound...])
        return (status, fields, chunked ? dechunked(content) : content)
    }

    /// The status and body of `method path` with `body` as JSON (the WebDriver protocol's requests).
    public static func request(port: Int, method: String, path: String, body: Data?, timeout: Double) throws -> (status: Int, body: Data) {
        let headers = body == nil ? [] : [("Content-Type", "application/json; charset=utf-8")]
        let answer = try exchange(port: port, method: method, path: path, headers: headers, body: body, timeout: timeout)
        return (answer.status, answer.body)
    }

    /// Whether `answer` holds its whole head and the Content-Length bytes of body the head announces.
    static func isComplete(_ answer: Data) -> Bool {
        guard let split = answer.range(of: Data("\r\n\r\n".utf8)) else { return false }
        let head = String(decoding: answer[..<split.lowerBound], as: UTF8.self).lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return false }
        return answer.count - split.upperBound >= length
    }

    /// The body of a chunked transfer: each chunk's hex size, CRLF, its bytes, CRLF, until a size of 0.
    static func dechunked(_ data: Data) -> Data {
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
