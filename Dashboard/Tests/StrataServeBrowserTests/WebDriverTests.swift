import Foundation
import XCTest

/// The WebDriver client itself, on a static page opened by `file://` from a temporary folder: finding and
/// clicking elements, scripts, waiting, console errors caught two ways, and a screenshot that is a PNG.
/// Skipped when chromium or chromedriver is absent.
final class WebDriverTests: XCTestCase {
    private var folder: URL!
    private var page: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-webdriver-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        page = folder.appendingPathComponent("page.html")
        try """
            <!doctype html>
            <html><head><title>WebDriver test</title></head>
            <body>
              <button id="go" onclick="setTimeout(() => { document.getElementById('out').textContent = 'clicked';
                  console.error('boom from the click'); }, 200)">Go</button>
              <p id="out">waiting</p>
              <ul><li class="item">a</li><li class="item">b</li><li class="item">c</li></ul>
            </body></html>
            """.write(to: page, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testClickingChangesTheTextAndTheConsoleErrorIsCaught() throws {
        let browser = try WebDriver()
        defer { browser.quit() }
        try browser.navigate(to: page)
        let source = try browser.executeScript("return location.href + ' ' + document.documentElement.outerHTML.slice(0, 200)")
        XCTAssertEqual(try browser.findElements(css: "li.item").count, 3, "\(source ?? "")")
        XCTAssertEqual(try browser.findElements(css: "li.missing"), [])
        XCTAssertThrowsError(try browser.findElement(css: "#absent")) { XCTAssertTrue("\($0)".contains("#absent"), "\($0)") }
        let out = try browser.findElement(css: "#out")
        XCTAssertEqual(try browser.text(of: out), "waiting")
        XCTAssertEqual(try browser.executeScript("return document.title + ' ' + arguments[0];", [41]) as? String, "WebDriver test 41")
        try browser.installErrorCollector()
        _ = try browser.consoleLog()   // nothing of before the click
        try browser.click(try browser.findElement(css: "#go"))
        try browser.waitUntil("the text to change", timeout: 10) { try browser.text(of: out) == "clicked" }
        XCTAssertEqual(try browser.collectedErrors(), ["boom from the click"])
        var severe: [String] = []
        try browser.waitUntil("console.error in the browser log", timeout: 5) {
            severe += try browser.severeConsoleMessages()
            return !severe.isEmpty
        }
        XCTAssertTrue(severe.contains { $0.contains("boom from the click") }, "\(severe)")
    }

    func testWaitingGivesUpNamingWhatItWaitedFor() throws {
        let browser = try WebDriver()
        defer { browser.quit() }
        try browser.navigate(to: page)
        let started = Date()
        XCTAssertThrowsError(try browser.waitUntil("a text that never comes", timeout: 0.5) {
            try browser.text(of: try browser.findElement(css: "#out")) == "never"
        }) { XCTAssertTrue("\($0)".contains("a text that never comes"), "\($0)") }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testTheScreenshotIsAPNGOfTheWindow() throws {
        let browser = try WebDriver(width: 800, height: 600)
        defer { browser.quit() }
        try browser.navigate(to: page)
        let file = folder.appendingPathComponent("shot.png")
        try browser.saveScreenshot(to: file)
        let png = [UInt8](try Data(contentsOf: file))
        XCTAssertGreaterThan(png.count, 100)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG signature")
        XCTAssertEqual(String(decoding: png[12..<16], as: UTF8.self), "IHDR")
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(width, 800)
        XCTAssertGreaterThan(height, 300)
        XCTAssertLessThanOrEqual(height, 600)
    }
}
