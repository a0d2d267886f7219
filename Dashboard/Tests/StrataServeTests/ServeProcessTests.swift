import Foundation
import DashboardTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// The built `strata-serve` started as a process: it prints its address and answers over real HTTP.
final class ServeProcessTests: XCTestCase {
    func testServesTheAPIOverHTTPOnAFreePort() throws {
        let fixture = try ServeFixture()
        let process = Process()
        process.executableURL = StrataServeExecutable.url
        process.arguments = ["--db", fixture.store.path, "--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let line = try XCTUnwrap(StrataServeExecutable.firstLine(of: output.fileHandleForReading), "strata-serve printed nothing")
        XCTAssertTrue(line.hasPrefix("Serving http://127.0.0.1:"), line)
        let address = try XCTUnwrap(URL(string: String(line.dropFirst("Serving ".count))))
        XCTAssertNotEqual(address.port, 0)

        let (data, status) = try Self.get(address.appendingPathComponent("api/runs"))
        XCTAssertEqual(status, 200)
        let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(body["total"] as? Int, 3)
        let (_, missing) = try Self.get(address.appendingPathComponent("api/runs/42"))
        XCTAssertEqual(missing, 404)

        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "SIGTERM stops it gracefully")
    }

    func testRefusesANetworkHostWithoutAToken() throws {
        let fixture = try ServeFixture()
        let process = Process()
        process.executableURL = StrataServeExecutable.url
        process.arguments = ["--db", fixture.store.path, "--host", "0.0.0.0", "--port", "0"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertTrue(message.contains("--token"), message)
    }


    /// The body and status of a GET of `url`, waiting at most 10 s.
    static func get(_ url: URL) throws -> (Data, Int) {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data, Int)?
        nonisolated(unsafe) var failure: (any Error)?
        URLSession.shared.dataTask(with: url) { data, response, error in
            if let error { failure = error }
            result = (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0)
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 10) == .success else { throw URLError(.timedOut) }
        if let failure { throw failure }
        return result!
    }
}
