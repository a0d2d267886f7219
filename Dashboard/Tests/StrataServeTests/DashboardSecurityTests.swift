import Foundation
import Hummingbird
import StrataServe
import StrataTracking
import XCTest

/// The run-folder file guard, the token, and the refusal to listen beyond loopback without one.
final class DashboardSecurityTests: XCTestCase {
    func testRunFilesAreServedFromTheRunFolder() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            let image = try await client.execute(uri: "/runs/1/files/image.png", method: .get)
            XCTAssertEqual(image.status, .ok)
            XCTAssertEqual(image.headers[.contentType], "image/png")
            XCTAssertEqual(Data(image.body.readableBytesView), fixture.image)
            let report = try await client.execute(uri: "/runs/1/files/report.html", method: .get)
            XCTAssertEqual(report.headers[.contentType], "text/html; charset=utf-8")
            XCTAssertEqual(String(buffer: report.body), "<html>report</html>")
            let absent = try await client.execute(uri: "/runs/1/files/absent.png", method: .get)
            XCTAssertEqual(absent.status, .notFound)
            let noFolder = try await client.execute(uri: "/runs/2/files/image.png", method: .get)
            XCTAssertEqual(noFolder.status, .notFound, "run 2 has no folder")
        }
    }

    func testPathsLeavingTheRunFolderAreRefused() async throws {
        let fixture = try ServeFixture()
        let outside = fixture.folder.appendingPathComponent("runs/secret.txt")
        try FileManager.default.createSymbolicLink(at: fixture.runFolder.appendingPathComponent("link.txt"), withDestinationURL: outside)
        try FileManager.default.createSymbolicLink(at: fixture.runFolder.appendingPathComponent("up"),
                                                   withDestinationURL: fixture.folder)
        try await fixture.application().test(.router) { client in
            for uri in ["/runs/1/files/../secret.txt", "/runs/1/files/%2E%2E/secret.txt", "/runs/1/files/..%2Fsecret.txt",
                        "/runs/1/files/link.txt", "/runs/1/files/up/runs/secret.txt", "/runs/1/files/./../secret.txt"] {
                let response = try await client.execute(uri: uri, method: .get)
                XCTAssertTrue([.forbidden, .notFound].contains(response.status), "\(uri): \(response.status)")
                XCTAssertFalse(String(buffer: response.body).contains("secret\""), uri)
                XCTAssertNotEqual(String(buffer: response.body), "secret", uri)
            }
            let symlink = try await client.execute(uri: "/runs/1/files/link.txt", method: .get)
            XCTAssertEqual(symlink.status, .forbidden, "a link out of the folder is refused")
        }
    }

    func testTokenIsCheckedOnEveryRequest() async throws {
        let fixture = try ServeFixture()
        try await fixture.application(token: "s3cret").test(.router) { client in
            for uri in ["/api/runs", "/", "/runs/1/files/image.png", "/api/params", "/nowhere"] {
                let missing = try await client.execute(uri: uri, method: .get)
                XCTAssertEqual(missing.status, .unauthorized, uri)
                XCTAssertEqual(missing.headers[.wwwAuthenticate], "Bearer")
                XCTAssertNotNil(try jsonObject(missing)["error"] as? String)
            }
            let wrongBearer = try await client.execute(uri: "/api/runs", method: .get, headers: [.authorization: "Bearer wrong"])
            XCTAssertEqual(wrongBearer.status, .unauthorized)
            let shortToken = try await client.execute(uri: "/api/runs?token=s3cre", method: .get)
            XCTAssertEqual(shortToken.status, .unauthorized)
            let rightBearer = try await client.execute(uri: "/api/runs", method: .get, headers: [.authorization: "Bearer s3cret"])
            XCTAssertEqual(rightBearer.status, .ok)
            let queried = try await client.execute(uri: "/?token=s3cret", method: .get)
            XCTAssertEqual(queried.status, .ok)
            let cookie = try XCTUnwrap(queried.headers[.setCookie])
            XCTAssertTrue(cookie.hasPrefix("strata_token=s3cret"), cookie)
            XCTAssertTrue(cookie.contains("HttpOnly"), cookie)
            let withCookie = try await client.execute(uri: "/runs/1/files/image.png", method: .get, headers: [.cookie: "strata_token=s3cret"])
            XCTAssertEqual(withCookie.status, .ok, "the page's images load with the cookie")
            let wrongCookie = try await client.execute(uri: "/api/runs", method: .get, headers: [.cookie: "strata_token=nope"])
            XCTAssertEqual(wrongCookie.status, .unauthorized)
        }
    }

    func testHostsBeyondLoopbackNeedAToken() throws {
        for host in ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"] {
            XCTAssertTrue(DashboardConfiguration.isLoopback(host), host)
            XCTAssertNoThrow(try DashboardConfiguration(database: "x.sqlite", host: host).validate(), host)
        }
        for host in ["0.0.0.0", "192.168.1.4", "::", "example.org"] {
            XCTAssertFalse(DashboardConfiguration.isLoopback(host), host)
            XCTAssertThrowsError(try DashboardConfiguration(database: "x.sqlite", host: host).validate(), host) { error in
                XCTAssertTrue("\(error)".contains("--token"), "\(error)")
            }
            XCTAssertThrowsError(try DashboardConfiguration(database: "x.sqlite", host: host, token: "").validate(), "an empty token")
            XCTAssertNoThrow(try DashboardConfiguration(database: "x.sqlite", host: host, token: "t").validate(), host)
        }
        XCTAssertThrowsError(try DashboardConfiguration(database: "x.sqlite", port: 70000).validate())
        let fixture = try ServeFixture()
        XCTAssertThrowsError(try DashboardServer(configuration: DashboardConfiguration(database: fixture.store.path, host: "0.0.0.0")))
        XCTAssertNoThrow(try DashboardServer(configuration: DashboardConfiguration(database: fixture.store.path, port: 0)))
        XCTAssertThrowsError(try DashboardServer(configuration: DashboardConfiguration(database: fixture.folder.appendingPathComponent("none.sqlite").path))) {
            XCTAssertTrue("\($0)".contains("none.sqlite"), "\($0)")
        }
    }

    func testDatabaseDefaultsToTheEnvironmentThenRunsFolder() {
        XCTAssertEqual(RunStore.path(given: "a.sqlite", environment: ["STRATA_TRACKING_DB": "b.sqlite"]), "a.sqlite")
        XCTAssertEqual(RunStore.path(given: nil, environment: ["STRATA_TRACKING_DB": "b.sqlite"]), "b.sqlite")
        XCTAssertEqual(RunStore.path(given: nil, environment: ["STRATA_TRACKING_DB": ""]), "runs/strata.sqlite")
        XCTAssertEqual(RunStore.path(given: nil, environment: [:]), "runs/strata.sqlite")
    }
}
