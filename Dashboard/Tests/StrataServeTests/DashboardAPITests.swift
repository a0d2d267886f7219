import Foundation
import Hummingbird
import StrataServe
import StrataTracking
import XCTest

/// The JSON API through Hummingbird's test client, over `ServeFixture`'s four runs.
final class DashboardAPITests: XCTestCase {
    func testListShowsActiveRunsWithParamsMetricsAndStatus() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/runs", method: .get)
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "application/json; charset=utf-8")
            let body = try jsonObject(response)
            XCTAssertEqual(body["total"] as? Int, 3)
            let runs = try XCTUnwrap(body["runs"] as? [[String: Any]])
            XCTAssertEqual(runs.map { $0["id"] as? Int }, [3, 2, 1], "newest first, the archived run hidden")
            let first = try XCTUnwrap(runs.last)
            XCTAssertEqual(first["name"] as? String, "sgd-0.1")
            XCTAssertEqual(first["experiment"] as? String, "train")
            XCTAssertEqual(first["status"] as? String, "finished")
            XCTAssertEqual(first["archived"] as? Bool, false)
            XCTAssertEqual(first["world_size"] as? Int, 1)
            XCTAssertEqual(first["folder"] as? String, fixture.runFolder.path)
            let params = try XCTUnwrap(first["params"] as? [String: Any])
            XCTAssertEqual(params["lr"] as? Double, 0.1, "numeric parameters are JSON numbers")
            XCTAssertEqual(params["optimizer"] as? String, "sgd")
            let accuracy = try XCTUnwrap((first["metrics"] as? [String: Any])?["val_accuracy"] as? [String: Any])
            XCTAssertEqual(accuracy["latest"] as? Double, 0.8)
            XCTAssertEqual(accuracy["best"] as? Double, 0.8)
            XCTAssertEqual(accuracy["step"] as? Int, 10)
            XCTAssertEqual(runs.first?["status"] as? String, "running")
        }
    }

    func testRunningRunWithAStaleHeartbeatShowsCrashed() throws {
        let fixture = try ServeFixture()
        let later = Date().timeIntervalSince1970 + RunStore.staleHeartbeatSeconds + 60
        let body = try DashboardAPI(store: fixture.store).runs(QueryParameters(["where": "id = 3"]), now: later)
        guard case .object(let members) = body, case .array(let runs)? = members.first(where: { $0.0 == "runs" })?.1,
              case .object(let run)? = runs.first else { return XCTFail("no run in \(body.text)") }
        XCTAssertEqual(run.first { $0.0 == "status" }?.1, .string("crashed"))
    }

    func testFilterSortLimitAndArchivedViews() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            let filtered = try await client.execute(uri: "/api/runs?where=params.lr%20%3C%200.05", method: .get)
            XCTAssertEqual(try runIDs(filtered), [3, 2])
            let sorted = try await client.execute(uri: "/api/runs?sort=-metrics.val_accuracy", method: .get)
            XCTAssertEqual(try runIDs(sorted), [2, 1, 3], "largest first, runs without the metric last")
            let ascending = try await client.execute(uri: "/api/runs?sort=params.lr", method: .get)
            XCTAssertEqual(try runIDs(ascending), [3, 2, 1])
            let limited = try await client.execute(uri: "/api/runs?sort=params.lr&limit=1", method: .get)
            XCTAssertEqual(try runIDs(limited), [3])
            XCTAssertEqual(try jsonObject(limited)["total"] as? Int, 3, "total counts every matching run")
            let archived = try await client.execute(uri: "/api/runs?archived=1", method: .get)
            XCTAssertEqual(try runIDs(archived), [4])
            let all = try await client.execute(uri: "/api/runs?archived=all", method: .get)
            XCTAssertEqual(try runIDs(all), [4, 3, 2, 1])
            let formEncoded = try await client.execute(uri: "/api/runs?where=params.lr+%3C+0.05+and+params.optimizer+%3D+adam", method: .get)
            XCTAssertEqual(try runIDs(formEncoded), [3, 2], "'+' is a space, as urlencode sends it")
            let crashedOrRunning = try await client.execute(uri: "/api/runs?where=status%20%3D%20running", method: .get)
            XCTAssertEqual(try runIDs(crashedOrRunning), [3])
        }
    }

    func testBadFilterSortAndNumbersAre400WithTheField() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            for (uri, field) in [("/api/runs?where=params.lr%20%3C", "where:"), ("/api/runs?where=bogus%20%3D%201", "where:"),
                                 ("/api/runs?sort=nothing", "sort:"), ("/api/runs?limit=ten", "limit:"),
                                 ("/api/runs?archived=maybe", "archived:"), ("/api/runs/1/metrics?after=x", "after:"),
                                 ("/api/runs/1/metrics?max_points=-1", "max_points:"), ("/api/runs/1/metrics?x=time", "x:"),
                                 ("/api/compare?ids=1,two&metric=loss", "ids:"), ("/api/compare?ids=1", "metric:")] {
                let response = try await client.execute(uri: uri, method: .get)
                XCTAssertEqual(response.status, .badRequest, uri)
                let message = try jsonObject(response)["error"] as? String ?? ""
                XCTAssertTrue(message.hasPrefix(field), "\(uri): \(message)")
            }
        }
    }

    func testUnknownOrBadRunIs404() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            for uri in ["/api/runs/99", "/api/runs/abc", "/api/runs/99/metrics?name=loss", "/api/compare?ids=1,99&metric=loss",
                        "/runs/99/files/image.png"] {
                let response = try await client.execute(uri: uri, method: .get)
                XCTAssertEqual(response.status, .notFound, uri)
                XCTAssertNotNil(try jsonObject(response)["error"] as? String, uri)
            }
        }
    }

    func testRunDetailsHoldParamsSummariesAndArtifacts() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            let body = try jsonObject(try await client.execute(uri: "/api/runs/1", method: .get))
            XCTAssertEqual(body["id"] as? Int, 1)
            XCTAssertEqual(body["command"] as? String, "strata train --lr 0.1")
            let loss = try XCTUnwrap((body["metrics"] as? [String: Any])?["loss"] as? [String: Any])
            XCTAssertEqual(loss["latest"] as? Double, 0.1)
            XCTAssertEqual(loss["best"] as? Double, 0.1)
            XCTAssertEqual(loss["best_step"] as? Int, 10)
            XCTAssertEqual(loss["count"] as? Int, 10)
            let artifacts = try XCTUnwrap(body["artifacts"] as? [[String: Any]])
            XCTAssertEqual(artifacts.map { $0["path"] as? String }, ["image.png", "report.html"])
            XCTAssertEqual(artifacts.map { $0["kind"] as? String }, ["image", "report"])
        }
    }

    func testMetricsAfterAStepReturnOnlyNewerPoints() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            let newer = try jsonObject(try await client.execute(uri: "/api/runs/1/metrics?name=loss&after=7", method: .get))
            let series = try XCTUnwrap((newer["series"] as? [[String: Any]])?.first)
            XCTAssertEqual(series["name"] as? String, "loss")
            XCTAssertEqual(series["x"] as? [Int], [8, 9, 10])
            let values = try XCTUnwrap(series["y"] as? [Double])
            XCTAssertEqual(values.count, 3)
            for (value, expected) in zip(values, [1.0 / 8, 1.0 / 9, 1.0 / 10]) { XCTAssertEqual(value, expected, accuracy: 1e-12) }
            XCTAssertEqual(series["last_step"] as? Int, 10)
            XCTAssertEqual(series["downsampled"] as? Bool, false)
            XCTAssertNil(series["ymin"])
            let none = try jsonObject(try await client.execute(uri: "/api/runs/1/metrics?name=loss&after=10", method: .get))
            let empty = try XCTUnwrap((none["series"] as? [[String: Any]])?.first)
            XCTAssertEqual(empty["x"] as? [Int], [])
            XCTAssertEqual(empty["last_step"] as? Int, 10, "the step to poll after stays")
            let every = try jsonObject(try await client.execute(uri: "/api/runs/1/metrics", method: .get))
            XCTAssertEqual((every["series"] as? [[String: Any]])?.map { $0["name"] as? String }, ["loss", "val_accuracy"])
            let epochs = try jsonObject(try await client.execute(uri: "/api/runs/1/metrics?name=val_accuracy&x=epoch", method: .get))
            XCTAssertEqual((epochs["series"] as? [[String: Any]])?.first?["x"] as? [Int], [1, 2])
            let wall = try jsonObject(try await client.execute(uri: "/api/runs/1/metrics?name=val_accuracy&x=wall", method: .get))
            XCTAssertEqual((wall["series"] as? [[String: Any]])?.first?["x"] as? [Double], [5, 10], "seconds since the run started")
        }
    }

    func testLongSeriesAreDownsampledKeepingMinAndMax() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            let body = try jsonObject(try await client.execute(uri: "/api/runs/3/metrics?name=loss&max_points=100", method: .get))
            let series = try XCTUnwrap((body["series"] as? [[String: Any]])?.first)
            XCTAssertEqual(series["downsampled"] as? Bool, true)
            XCTAssertEqual(series["points"] as? Int, 5000)
            XCTAssertEqual(series["last_step"] as? Int, 5000)
            let x = try XCTUnwrap(series["x"] as? [Double]), y = try XCTUnwrap(series["y"] as? [Double])
            let low = try XCTUnwrap(series["ymin"] as? [Double]), high = try XCTUnwrap(series["ymax"] as? [Double])
            XCTAssertEqual(x.count, 100)
            XCTAssertEqual([y.count, low.count, high.count], [100, 100, 100])
            XCTAssertEqual(high.max(), 100, "the spike is kept")
            XCTAssertEqual(low.min(), -50, "the dip is kept")
            XCTAssertEqual(x.first, 1)
            XCTAssertEqual(x, x.sorted())
            for index in y.indices { XCTAssertTrue(low[index] <= y[index] && y[index] <= high[index], "bucket \(index)") }

            let byDefault = try jsonObject(try await client.execute(uri: "/api/runs/3/metrics?name=loss", method: .get))
            XCTAssertEqual((byDefault["series"] as? [[String: Any]])?.first?["downsampled"] as? Bool, true, "over 2000 points by default")
            let raw = try jsonObject(try await client.execute(uri: "/api/runs/3/metrics?name=loss&max_points=0", method: .get))
            let rawSeries = try XCTUnwrap((raw["series"] as? [[String: Any]])?.first)
            XCTAssertEqual(rawSeries["downsampled"] as? Bool, false)
            XCTAssertEqual((rawSeries["y"] as? [Double])?.count, 5000)
            XCTAssertEqual((rawSeries["y"] as? [Double])?[1233], 100)
        }
    }

    func testCompareGivesOneSeriesPerRun() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            let body = try jsonObject(try await client.execute(uri: "/api/compare?ids=1,2&metric=val_accuracy", method: .get))
            let series = try XCTUnwrap(body["series"] as? [[String: Any]])
            XCTAssertEqual(series.map { $0["run_id"] as? Int }, [1, 2])
            XCTAssertEqual(series.map { $0["run_name"] as? String }, ["sgd-0.1", "adam-0.01"])
            XCTAssertEqual(series.map { $0["y"] as? [Double] }, [[0.5, 0.8], [0.6, 0.9]])
            XCTAssertEqual(series.map { $0["x"] as? [Int] }, [[5, 10], [5, 10]])
            let long = try jsonObject(try await client.execute(uri: "/api/compare?ids=1,3&metric=loss&max_points=50&x=epoch", method: .get))
            let longSeries = try XCTUnwrap(long["series"] as? [[String: Any]])
            XCTAssertEqual(longSeries.map { $0["downsampled"] as? Bool }, [false, true])
            XCTAssertEqual(longSeries[1]["status"] as? String, "running")
            XCTAssertEqual((longSeries[1]["x"] as? [Double])?.first, 1, "the first bucket's epoch")
        }
    }

    func testArchiveHidesAndShowsRuns() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            let archive = try await client.execute(uri: "/api/runs/archive", method: .post, headers: [.contentType: "application/json"],
                                                   body: ByteBuffer(string: #"{"ids": [1, 2], "archived": true}"#))
            XCTAssertEqual(archive.status, .ok)
            let afterArchiving = try await client.execute(uri: "/api/runs", method: .get)
            XCTAssertEqual(try runIDs(afterArchiving), [3])
            let restore = try await client.execute(uri: "/api/runs/archive", method: .post,
                                                   body: ByteBuffer(string: #"{"ids": [1, 4], "archived": false}"#))
            XCTAssertEqual(restore.status, .ok)
            let afterRestoring = try await client.execute(uri: "/api/runs", method: .get)
            XCTAssertEqual(try runIDs(afterRestoring), [4, 3, 1])
            for (body, status) in [(#"{"ids": [99], "archived": true}"#, HTTPResponse.Status.notFound),
                                   (#"{"ids": ["x"], "archived": true}"#, .badRequest), (#"{"ids": [1]}"#, .badRequest),
                                   (#"{"ids": [1], "archived": "yes"}"#, .badRequest), (#"{"ids": [1.5], "archived": true}"#, .badRequest),
                                   ("not json", .badRequest)] {
                let response = try await client.execute(uri: "/api/runs/archive", method: .post, body: ByteBuffer(string: body))
                XCTAssertEqual(response.status, status, body)
            }
        }
    }

    func testParamsListsParameterAndMetricNames() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            let body = try jsonObject(try await client.execute(uri: "/api/params", method: .get))
            XCTAssertEqual(body["params"] as? [String], ["lr", "optimizer"])
            XCTAssertEqual(body["metrics"] as? [String], ["loss", "val_accuracy"])
        }
    }

    func testPagesAreServedWithoutExternalResources() async throws {
        let fixture = try ServeFixture()
        try await fixture.application().test(.router) { client in
            for (uri, marker) in [("/", "id=\"runs-table\""), ("/compare?ids=1,2", "id=\"chart\""), ("/runs/1", "id=\"run-title\"")] {
                let response = try await client.execute(uri: uri, method: .get)
                XCTAssertEqual(response.status, .ok, uri)
                XCTAssertEqual(response.headers[.contentType], "text/html; charset=utf-8")
                let html = String(buffer: response.body)
                XCTAssertTrue(html.contains(marker), uri)
                let external = html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
                XCTAssertFalse(external.contains("http://") || external.contains("https://") || external.contains("src=\"//"), uri)
            }
        }
    }
}
