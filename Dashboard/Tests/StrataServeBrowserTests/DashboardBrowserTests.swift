import Foundation
import DashboardTestSupport
import XCTest

/// The dashboard in headless Chromium over `strata-serve` serving a store the test fills
/// (`DashboardBrowserFixture`): the runs page lists, sorts, filters, selects and brushes; compare draws one
/// curve per run, grows a running run's curve and loads a downsampled series raw; the run page shows its
/// parameters and charts; and no page logs an error. One server and one browser serve every test.
/// Skipped when chromium or chromedriver is absent. With `STRATA_SCREENSHOTS=FOLDER`, each page's
/// screenshot is saved there (docs/dashboard/ holds the chosen ones).
final class DashboardBrowserTests: XCTestCase {
    private static var sharedFixture: DashboardBrowserFixture?
    private static var sharedBrowser: WebDriver?
    private var fixture: DashboardBrowserFixture!
    private var browser: WebDriver!

    override func setUpWithError() throws {
        if Self.sharedBrowser == nil {
            let browser = try WebDriver(width: 1400, height: 900)
            do {
                Self.sharedFixture = try DashboardBrowserFixture()
            } catch {
                browser.quit()
                throw error
            }
            Self.sharedBrowser = browser
        }
        fixture = Self.sharedFixture
        browser = Self.sharedBrowser
        _ = try browser.consoleLog()   // nothing of an earlier test
    }

    override class func tearDown() {
        sharedBrowser?.quit()
        sharedBrowser = nil
        sharedFixture?.stop()
        sharedFixture = nil
        super.tearDown()
    }

    func testTheRunsPageListsEveryRunOnce() throws {
        try openRunsPage()
        XCTAssertEqual(try browser.findElements(css: "#runs-table tbody tr[data-run-id]").count, 5)
        XCTAssertEqual(try rowIDs(), [5, 4, 3, 2, 1], "newest first")
        XCTAssertEqual(try browser.text(of: try browser.findElement(css: "#runs-count")), "5 of 5 runs")
        XCTAssertEqual(try browser.findElements(css: "tr[data-run-id=\"4\"] .status-running").count, 1, "the live run shows running")
        try saveScreenshot("runs")
        try assertPageIsClean()
    }

    func testClickingAHeaderSortsAndClickingAgainReverses() throws {
        try openRunsPage()
        let byAccuracy = DashboardBrowserFixture.bestAccuracy.sorted { $0.value < $1.value }.map(\.key)
        XCTAssertEqual(byAccuracy, [4, 1, 5, 3, 2])
        try clickFresh("th[data-sort=\"metrics.val_accuracy\"]")
        try waitForRows("ascending val_accuracy", byAccuracy)
        let address = try browser.currentURL()
        XCTAssertTrue(address.hasSuffix("/?sort=metrics.val_accuracy"), "the sort is kept in the address: \(address)")
        try clickFresh("th[data-sort=\"metrics.val_accuracy\"]")
        try waitForRows("descending val_accuracy", byAccuracy.reversed())
        XCTAssertEqual(try browser.findElements(css: "th.sorted-desc[data-sort=\"metrics.val_accuracy\"]").count, 1)

        let byRate = DashboardBrowserFixture.learningRate.sorted { $0.value < $1.value }.map(\.key)
        try clickFresh("th[data-sort=\"params.lr\"]")
        try waitForRows("ascending lr", byRate)
        try clickFresh("th[data-sort=\"params.lr\"]")
        try waitForRows("descending lr", byRate.reversed())
        try assertPageIsClean()
    }

    func testAFilterNarrowsTheRowsAndABadOneShowsTheAPIMessage() throws {
        try openRunsPage()
        let filter = try browser.findElement(css: "#filter")
        try browser.type("params.lr < 0.02 and metrics.val_accuracy > 0.65\u{E007}", into: filter)
        try waitForRows("the filtered runs", [3, 2])
        XCTAssertEqual(try browser.executeScript("return document.getElementById('error').hidden").flatMap(boolean), true)
        try saveScreenshot("runs-filtered")

        let bad = "params.lr <"
        let (status, body) = try LoopbackHTTP.request(port: fixture.address.port!, method: "GET",
                                                      path: "/api/runs?where=params.lr%20%3C", body: nil, timeout: 10)
        XCTAssertEqual(status, 400)
        let message = try XCTUnwrap((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["error"] as? String)
        try browser.clear(filter)
        try browser.type(bad + "\u{E007}", into: filter)
        try browser.waitUntil("the error box") {
            try browser.executeScript("return document.getElementById('error').hidden").flatMap(boolean) == false
        }
        XCTAssertEqual(try browser.text(of: try browser.findElement(css: "#error")), message)
        XCTAssertTrue(message.contains("expected a value"), message)
        try saveScreenshot("runs-bad-filter")
        try assertPageIsClean(allowing: "status of 400")
    }

    func testSelectingTwoRunsAndComparingDrawsTwoCurvesWithALegendOfTwo() throws {
        try openRunsPage()
        try clickFresh("tr[data-run-id=\"1\"] input.select")
        try clickFresh("tr[data-run-id=\"2\"] input.select")
        try browser.waitUntil("two runs selected") {
            try browser.text(of: try browser.findElement(css: "#selection-count")) == "2 selected"
        }
        try assertPageIsClean()
        try browser.click(try browser.findElement(css: "#compare-button"))
        try browser.waitUntil("the compare page") { try browser.currentURL().contains("/compare?ids=1,2") }
        try browser.installErrorCollector()
        try browser.waitUntil("two curves") { try browser.findElements(css: "#chart path.curve").count == 2 }
        XCTAssertEqual(try attributeValues("#chart path.curve", "data-run-id"), ["1", "2"])
        XCTAssertEqual(try attributeValues("#legend li", "data-run-id"), ["1", "2"])
        XCTAssertEqual(try browser.executeScript("return document.getElementById('metric').value") as? String, "val_accuracy")
        XCTAssertEqual(try curvePoints(runID: 1), 5)
        XCTAssertEqual(try curvePoints(runID: 2), 5)
        try saveScreenshot("compare")
        try assertPageIsClean()
    }

    func testARunWrittenToInTheBackgroundGrowsItsCurve() throws {
        try open("/compare?ids=4,1&metric=loss")
        try browser.waitUntil("two curves") { try browser.findElements(css: "#chart path.curve").count == 2 }
        let before = try curvePoints(runID: 4), other = try curvePoints(runID: 1)
        XCTAssertEqual(other, 50)
        let last = try fixture.growLiveRun(by: 10)
        XCTAssertEqual(before + 10, last, "the curve had every step of the live run")
        try browser.waitUntil("the live curve to grow by 10", timeout: 10) { try curvePoints(runID: 4) == before + 10 }
        try fixture.growLiveRun(by: 25)
        try browser.waitUntil("the live curve to grow by 25 more", timeout: 10) { try curvePoints(runID: 4) == before + 35 }
        XCTAssertEqual(try curvePoints(runID: 1), other, "the finished run's curve stays")
        try saveScreenshot("compare-live")
        try assertPageIsClean()

        try open("/runs/4")
        let curve = "#charts figure[data-metric=\"loss\"] svg .curve"
        try browser.waitUntil("the loss chart") { try browser.findElements(css: curve).count == 1 }
        let shown = try points(of: curve)
        try fixture.growLiveRun(by: 5)
        try browser.waitUntil("the run page's curve to grow", timeout: 10) { try points(of: curve) == shown + 5 }
        try assertPageIsClean()
    }

    func testALongSeriesIsMarkedDownsampledAndLoadRawDrawsEveryPoint() throws {
        try open("/compare?ids=5&metric=loss")
        try browser.waitUntil("the long curve") { try browser.findElements(css: "#chart path.curve").count == 1 }
        let bucketed = try curvePoints(runID: 5)
        XCTAssertGreaterThan(bucketed, 100)
        XCTAssertLessThanOrEqual(bucketed, 2000)
        XCTAssertEqual(try browser.findElements(css: "#chart path.band[data-run-id=\"5\"]").count, 1, "the min/max band")
        XCTAssertEqual(try isShown("#downsampled-note"), true)
        XCTAssertEqual(try isShown("#load-raw"), true)
        let mark = try browser.text(of: try browser.findElement(css: "#legend li[data-run-id=\"5\"] .downsampled-mark"))
        XCTAssertTrue(mark.contains("\(DashboardBrowserFixture.longSteps) points in \(bucketed) buckets"), mark)
        try saveScreenshot("compare-downsampled")
        try browser.click(try browser.findElement(css: "#load-raw"))
        try browser.waitUntil("the raw series", timeout: 10) { try curvePoints(runID: 5) == DashboardBrowserFixture.longSteps }
        XCTAssertEqual(try browser.findElements(css: "#chart path.band").count, 0)
        XCTAssertEqual(try isShown("#downsampled-note"), false)
        XCTAssertEqual(try isShown("#load-raw"), false)
        // Smoothed, the chart spans the smoothed and the raw curve: 140,000 values, which Math.min(...values) refused.
        try browser.executeScript("""
            const slider = document.getElementById('smoothing');
            slider.value = '0.9';
            slider.dispatchEvent(new Event('input'));
            """)
        XCTAssertEqual(try curvePoints(runID: 5), DashboardBrowserFixture.longSteps)
        XCTAssertEqual(try points(of: "#chart path.raw-line"), DashboardBrowserFixture.longSteps)
        XCTAssertEqual(try isShown("#error"), false)
        try assertPageIsClean()
    }

    func testTheRunPageShowsItsParametersAndCharts() throws {
        try open("/runs/1")
        try browser.waitUntil("the charts") { try browser.findElements(css: "#charts figure[data-metric] svg .curve").count == 2 }
        let params = try browser.executeScript("""
            return [...document.querySelectorAll('#params-table tbody tr')].map((r) => r.innerText.replace('\\t', '='));
            """) as? [String]
        XCTAssertEqual(params, ["batch_size=32", "lr=0.1", "optimizer=sgd"])
        XCTAssertEqual(try attributeValues("#charts figure[data-metric]", "data-metric"), ["loss", "val_accuracy"])
        XCTAssertEqual(try points(of: "#charts figure[data-metric=\"loss\"] svg .curve"), 50)
        XCTAssertEqual(try points(of: "#charts figure[data-metric=\"val_accuracy\"] svg .curve"), 5)
        XCTAssertEqual(try attributeValues("#metrics-table tbody tr", "data-metric"), ["loss", "val_accuracy"])
        XCTAssertTrue(try browser.text(of: try browser.findElement(css: "#run-title")).hasPrefix("Run 1: sgd-0.1"))
        try saveScreenshot("run")
        try assertPageIsClean()

        try open("/runs/5")
        try browser.waitUntil("the long run's charts") { try browser.findElements(css: "#charts figure svg .curve").count == 2 }
        XCTAssertEqual(try isShown("#charts figure[data-metric=\"loss\"] .downsampled-mark"), true)
        XCTAssertEqual(try isShown("#charts figure[data-metric=\"val_accuracy\"] .downsampled-mark"), false)
        try assertPageIsClean()
    }

    func testAnInfiniteLossIsLeftOutOfTheCurveNotDrawnAsZero() throws {
        // Run 3's loss is +infinity at step 50, which JSON sends as null; the chart drew it at 0 (isFinite(null)).
        try open("/runs/\(DashboardBrowserFixture.divergedRun)")
        let curve = "#charts figure[data-metric=\"loss\"] svg .curve"
        try browser.waitUntil("the loss chart") { try browser.findElements(css: curve).count == 1 }
        XCTAssertEqual(try points(of: curve), 49)
        try assertPageIsClean()

        try open("/compare?ids=\(DashboardBrowserFixture.divergedRun)&metric=loss")
        try browser.waitUntil("the curve") { try curvePoints(runID: DashboardBrowserFixture.divergedRun) > 0 }
        XCTAssertEqual(try curvePoints(runID: DashboardBrowserFixture.divergedRun), 49)
        // Smoothed (the raw curve drawn faintly behind), the missing value becomes no point either.
        try browser.executeScript("""
            const slider = document.getElementById('smoothing');
            slider.value = '0.6';
            slider.dispatchEvent(new Event('input'));
            """)
        XCTAssertEqual(try browser.text(of: try browser.findElement(css: "#smoothing-value")), "0.60")
        XCTAssertEqual(try curvePoints(runID: DashboardBrowserFixture.divergedRun), 49)
        XCTAssertEqual(try points(of: "#chart path.raw-line"), 49)
        try assertPageIsClean()
    }

    func testParallelCoordinatesDrawOneLinePerRunAndBrushingAnAxisFiltersTheTable() throws {
        try openRunsPage()
        try browser.waitUntil("five lines") { try browser.findElements(css: "#parallel path.pc-line[data-run-id]").count == 5 }
        XCTAssertEqual(Set(try attributeValues("#parallel path.pc-line", "data-run-id")), ["1", "2", "3", "4", "5"])
        XCTAssertEqual(try attributeValues("#parallel g.pc-axis", "data-axis"),
                       ["params.batch_size", "params.lr", "params.optimizer", "metrics.val_accuracy"])
        // The val_accuracy axis runs from 0.6 (bottom) to 0.9 (top): brushing its upper half keeps 0.9, 0.85, 0.8.
        var (x, top, bottom) = try axisGeometry("metrics.val_accuracy")
        try browser.pressAndMove(from: (x, top - 2), to: (x, (top + bottom) / 2))
        // Mid-drag the lines dim but the table stays, so the chart does not move under the pointer and the
        // brush ends where the pointer is (hiding rows mid-drag moved the chart up and left the brush behind).
        XCTAssertEqual(Set(try attributeValues("#parallel path.pc-line.dimmed", "data-run-id")), ["1", "4"])
        XCTAssertEqual(try shownRowIDs(), [5, 4, 3, 2, 1])
        let brush = try browser.executeScript("""
            const svg = document.getElementById('parallel');
            const rect = svg.querySelector('g.pc-axis[data-axis="metrics.val_accuracy"] rect.pc-brush');
            return svg.getBoundingClientRect().top + Number(rect.getAttribute('y')) + Number(rect.getAttribute('height'));
            """).flatMap { $0 as? Double ?? ($0 as? NSNumber)?.doubleValue }
        XCTAssertEqual(try XCTUnwrap(brush), Double((top + bottom) / 2), accuracy: 2, "the brush's lower edge is at the pointer")
        try browser.releaseButton()
        try browser.waitUntil("the brushed rows", timeout: 5) { try shownRowIDs() == [5, 3, 2] }
        XCTAssertEqual(Set(try attributeValues("#parallel path.pc-line.dimmed", "data-run-id")), ["1", "4"])
        try saveScreenshot("runs-brushed")
        (x, top, bottom) = try axisGeometry("metrics.val_accuracy")   // the table shrank: the chart moved up
        try browser.drag(from: (x, top + 10), to: (x, top + 10))
        try browser.waitUntil("every row again", timeout: 5) { try shownRowIDs() == [5, 4, 3, 2, 1] }
        XCTAssertEqual(try browser.findElements(css: "#parallel path.pc-line.dimmed").count, 0)
        try assertPageIsClean()
    }

    // MARK: - Helpers

    /// Opens `path` of the server and installs the page's error collector.
    private func open(_ path: String) throws {
        try browser.navigate(to: fixture.url(path))
        try browser.installErrorCollector()
    }

    /// Opens the runs page and waits for its five rows.
    private func openRunsPage() throws {
        try open("/")
        try browser.waitUntil("five rows") { try rowIDs().count == 5 }
    }

    /// The runs table's run ids, in order.
    private func rowIDs() throws -> [Int] {
        integers(try browser.executeScript("""
            return [...document.querySelectorAll('#runs-table tbody tr[data-run-id]')].map((r) => Number(r.dataset.runId));
            """))
    }

    /// The viewport position of the parallel coordinates' `axis`: its x and the y of its top and bottom
    /// (the chart scrolled into view first).
    private func axisGeometry(_ axis: String) throws -> (x: Int, top: Int, bottom: Int) {
        let values = integers(try browser.executeScript("""
            const svg = document.getElementById('parallel');
            svg.scrollIntoView({block: 'center'});
            const line = svg.querySelector(`g.pc-axis[data-axis="${arguments[0]}"] line`);
            const box = svg.getBoundingClientRect();
            return [Math.round(box.left + Number(line.getAttribute('x1'))), Math.round(box.top + Number(line.getAttribute('y1'))),
                    Math.round(box.top + Number(line.getAttribute('y2')))];
            """, [axis]))
        guard values.count == 3 else { throw WebDriverError("no axis \(axis) in #parallel") }
        return (values[0], values[1], values[2])
    }

    /// The ids of the rows the parallel coordinates' brushes leave shown.
    private func shownRowIDs() throws -> [Int] {
        integers(try browser.executeScript("""
            return [...document.querySelectorAll('#runs-table tbody tr[data-run-id]')]
              .filter((r) => getComputedStyle(r).display !== 'none').map((r) => Number(r.dataset.runId));
            """))
    }

    /// Waits until the table's rows are the runs `ids`, in order.
    private func waitForRows<S: Sequence>(_ description: String, _ ids: S) throws where S.Element == Int {
        let expected = Array(ids)
        var seen: [Int] = []
        do {
            try browser.waitUntil("rows in \(description) order \(expected)", timeout: 5) {
                seen = try rowIDs()
                return seen == expected
            }
        } catch {
            XCTFail("\(error); the rows were \(seen)")
            throw error
        }
    }

    /// The values of `attribute` of the elements matching `selector`, in document order.
    private func attributeValues(_ selector: String, _ attribute: String) throws -> [String] {
        try browser.executeScript("return [...document.querySelectorAll(arguments[0])].map((e) => e.getAttribute(arguments[1]));",
                                  [selector, attribute]) as? [String] ?? []
    }

    /// The number of points of the first path matching `selector` (its M and L commands); -1 when there is none.
    private func points(of selector: String) throws -> Int {
        try browser.executeScript("""
            const path = document.querySelector(arguments[0]);
            return path ? (path.getAttribute('d').match(/[ML]/g) || []).length : -1;
            """, [selector]).flatMap(integer) ?? -1
    }

    /// The number of points of run `runID`'s curve on the compare page.
    private func curvePoints(runID: Int) throws -> Int {
        try points(of: "#chart path.curve[data-run-id=\"\(runID)\"]")
    }

    /// Whether the element matching `selector` is displayed (nil when there is none).
    private func isShown(_ selector: String) throws -> Bool? {
        try browser.executeScript("""
            const element = document.querySelector(arguments[0]);
            return element ? element.getClientRects().length > 0 : null;
            """, [selector]).flatMap(boolean)
    }

    /// Clicks the element matching `selector`, finding it again when a redraw replaced it in between
    /// (the runs page redraws its table every 5 s while a run is running).
    private func clickFresh(_ selector: String) throws {
        for attempt in 1...3 {
            do {
                try browser.click(try browser.findElement(css: selector))
                return
            } catch let error as WebDriverError where error.description.contains("stale element") && attempt < 3 {
                continue
            }
        }
    }

    /// Fails naming the console's severe messages and the page's collected errors, apart from those containing `allowed`.
    private func assertPageIsClean(allowing allowed: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let keep = { (message: String) in allowed.map { !message.contains($0) } ?? true }
        XCTAssertEqual(try browser.severeConsoleMessages().filter(keep), [], "severe console messages", file: file, line: line)
        XCTAssertEqual(try browser.collectedErrors().filter(keep), [], "errors the page collected", file: file, line: line)
    }

    /// A script's number as an Int (JSON numbers may come as NSNumber).
    private func integer(_ value: Any) -> Int? { value as? Int ?? (value as? NSNumber)?.intValue }

    /// A script's true or false.
    private func boolean(_ value: Any) -> Bool? { value as? Bool ?? (value as? NSNumber)?.boolValue }

    /// A script's list of numbers as Ints (empty when it is no list).
    private func integers(_ value: Any?) -> [Int] { (value as? [Any] ?? []).compactMap(integer) }

    /// Saves the viewport as `name`.png in the folder `STRATA_SCREENSHOTS` names (nothing when unset).
    private func saveScreenshot(_ name: String) throws {
        guard let folder = ProcessInfo.processInfo.environment["STRATA_SCREENSHOTS"] else { return }
        let url = URL(fileURLWithPath: folder).appendingPathComponent(name + ".png")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try browser.saveScreenshot(to: url)
    }
}
