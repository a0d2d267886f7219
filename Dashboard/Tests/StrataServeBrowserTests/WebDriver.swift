import Foundation
import DashboardTestSupport
import XCTest

/// A W3C WebDriver session on headless chromium, for browser tests: it starts `chromedriver --port=N`
/// on a free port itself, opens a session, and stops both at `quit()`.
///
/// ```swift
/// let browser = try WebDriver()          // XCTSkip when chromium or chromedriver is absent
/// defer { browser.quit() }
/// try browser.navigate(to: URL(string: "http://127.0.0.1:\(port)/")!)
/// try browser.click(try browser.findElement(css: "th[data-sort]"))
/// try browser.waitUntil("two rows") { try browser.findElements(css: "tbody tr").count == 2 }
/// XCTAssertEqual(try browser.severeConsoleMessages(), [])
/// ```
final class WebDriver {
    /// An element of the page, by the id WebDriver gave it.
    struct Element: Equatable {
        /// WebDriver's element reference.
        let id: String
    }

    /// One message of the browser's console.
    struct LogEntry: Equatable {
        /// `SEVERE` (console.error, uncaught errors, failed loads), `WARNING`, `INFO`, …
        let level: String
        /// The message, with its source.
        let message: String
    }

    /// chromedriver's address.
    let base: URL
    /// The session's id.
    private(set) var sessionID = ""
    private let driver: Process
    private var quitted = false
    private static let elementKey = "element-6066-11e4-a52e-4f735466cecf"   // W3C's element reference key

    /// Starts chromedriver and a headless chromium session of `width` × `height`; throws `XCTSkip` when
    /// chromium or chromedriver is not installed (`scripts/setup` installs both; `STRATA_CHROMIUM` and
    /// `STRATA_CHROMEDRIVER` name other binaries).
    init(width: Int = 1400, height: Int = 900, startTimeout: Double = 60) throws {
        let environment = ProcessInfo.processInfo.environment
        guard let chromium = environment["STRATA_CHROMIUM"] ?? Self.executable(["chromium", "chromium-browser", "google-chrome"]) else {
            throw XCTSkip("no chromium on PATH (scripts/setup installs Debian's chromium)")
        }
        guard let chromedriver = environment["STRATA_CHROMEDRIVER"] ?? Self.executable(["chromedriver"]) else {
            throw XCTSkip("no chromedriver on PATH (scripts/setup installs Debian's chromium-driver)")
        }
        let port = try Self.freePort()
        base = URL(string: "http://127.0.0.1:\(port)")!
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: chromedriver)
        driver.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        do {
            let deadline = Date().addingTimeInterval(startTimeout)
            var lastAnswer = ""
            while true {
                do {
                    let status = try request("GET", "/status")
                    if (status["value"] as? [String: Any])?["ready"] as? Bool == true { break }
                    lastAnswer = "\(status)"
                } catch {
                    lastAnswer = "\(error)"
                }
                guard driver.isRunning, Date() < deadline else {
                    throw WebDriverError("chromedriver \(chromedriver) was not ready on port \(port) within \(startTimeout) s: \(lastAnswer)")
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            let options: [String: Any] = [
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=\(width),\(height)"],
            ]
            let capabilities: [String: Any] = ["browserName": "chrome", "goog:chromeOptions": options,
                                               "goog:loggingPrefs": ["browser": "ALL"]]
            let answer = try request("POST", "/session", ["capabilities": ["alwaysMatch": capabilities]])
            guard let value = answer["value"] as? [String: Any], let id = value["sessionId"] as? String else {
                throw WebDriverError("chromedriver started no session: \(answer)")
            }
            sessionID = id
        } catch {
            driver.terminate()
            driver.waitUntilExit()
            throw error
        }
    }

    deinit { quit() }

    /// Opens `url` and waits for the page to load.
    func navigate(to url: URL) throws {
        try command("POST", "url", ["url": url.absoluteString])
    }

    /// The elements matching the CSS `selector`, in document order.
    func findElements(css selector: String) throws -> [Element] {
        let value = try command("POST", "elements", ["using": "css selector", "value": selector])
        guard let found = value as? [Any] else { throw WebDriverError("elements '\(selector)': not a list: \(value ?? "nil")") }
        return try found.map {
            guard let id = ($0 as? [String: Any])?[Self.elementKey] as? String else {
                throw WebDriverError("elements '\(selector)': not an element: \($0)")
            }
            return Element(id: id)
        }
    }

    /// The first element matching `selector`; throws naming the selector when there is none.
    func findElement(css selector: String) throws -> Element {
        guard let first = try findElements(css: selector).first else { throw WebDriverError("no element matches '\(selector)'") }
        return first
    }

    /// Clicks `element`.
    func click(_ element: Element) throws {
        try command("POST", "element/\(element.id)/click", [:])
    }

    /// Types `text` into `element` (a text field), as keystrokes; `"\u{E007}"` is the Enter key.
    func type(_ text: String, into element: Element) throws {
        try command("POST", "element/\(element.id)/value", ["text": text])
    }

    /// Empties `element` (a text field).
    func clear(_ element: Element) throws {
        try command("POST", "element/\(element.id)/clear", [:])
    }

    /// The address of the current page.
    func currentURL() throws -> String {
        try command("GET", "url") as? String ?? ""
    }

    /// Drags the mouse's left button from `start` to `end` (viewport pixels) and releases it.
    func drag(from start: (x: Int, y: Int), to end: (x: Int, y: Int)) throws {
        try pressAndMove(from: start, to: end)
        try releaseButton()
    }

    /// Presses the mouse's left button at `start` and moves it to `end` through the point halfway (viewport
    /// pixels), holding it: WebDriver's pointer actions, real mousedown and mousemove events.
    func pressAndMove(from start: (x: Int, y: Int), to end: (x: Int, y: Int)) throws {
        let move = { (x: Int, y: Int, duration: Int) -> [String: Any] in
            ["type": "pointerMove", "duration": duration, "origin": "viewport", "x": x, "y": y]
        }
        try pointerActions([move(start.x, start.y, 0), ["type": "pointerDown", "button": 0],
                            move((start.x + end.x) / 2, (start.y + end.y) / 2, 50), move(end.x, end.y, 50)])
    }

    /// Releases the mouse's left button where it is (a mouseup).
    func releaseButton() throws {
        try pointerActions([["type": "pointerUp", "button": 0]])
        try command("DELETE", "actions")
    }

    /// Performs `steps`, the actions of the mouse.
    private func pointerActions(_ steps: [[String: Any]]) throws {
        try command("POST", "actions", ["actions": [["type": "pointer", "id": "mouse", "parameters": ["pointerType": "mouse"],
                                                     "actions": steps]]])
    }

    /// The rendered text of `element`.
    func text(of element: Element) throws -> String {
        try command("GET", "element/\(element.id)/text") as? String ?? ""
    }

    /// Runs `script` (a function body: `return …` gives the result) with `arguments` in the page.
    @discardableResult
    func executeScript(_ script: String, _ arguments: [Any] = []) throws -> Any? {
        let value = try command("POST", "execute/sync", ["script": script, "args": arguments])
        return value is NSNull ? nil : value
    }

    /// Polls `condition` every `interval` seconds until it holds; throws naming `description` after `timeout` seconds.
    func waitUntil(_ description: String, timeout: Double = 10, interval: Double = 0.1, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if try condition() { return }
            guard Date() < deadline else { throw WebDriverError("timed out after \(timeout) s waiting for \(description)") }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// The page as a PNG, as WebDriver's screenshot gives it (the viewport).
    func screenshot() throws -> Data {
        guard let text = try command("GET", "screenshot") as? String, let data = Data(base64Encoded: text) else {
            throw WebDriverError("the screenshot is not base64 text")
        }
        return data
    }

    /// Writes `screenshot()` to `url`.
    func saveScreenshot(to url: URL) throws {
        try screenshot().write(to: url)
    }

    /// The browser console's messages since the last call (chromedriver's log endpoint, read once each).
    func consoleLog() throws -> [LogEntry] {
        let value = try command("POST", "se/log", ["type": "browser"])
        return (value as? [[String: Any]] ?? []).map {
            LogEntry(level: $0["level"] as? String ?? "", message: $0["message"] as? String ?? "")
        }
    }

    /// The console's SEVERE messages since the last read (console.error, uncaught exceptions, failed requests).
    func severeConsoleMessages() throws -> [String] {
        try consoleLog().filter { $0.level == "SEVERE" }.map(\.message)
    }

    /// Installs in the current page a collector of `console.error` calls and uncaught errors (a page's
    /// own record, for when the log endpoint is not available); read it with `collectedErrors()`.
    func installErrorCollector() throws {
        try executeScript("""
            if (window.__webDriverErrors) return;
            window.__webDriverErrors = [];
            const original = console.error.bind(console);
            console.error = (...parts) => { window.__webDriverErrors.push(parts.map(String).join(' ')); original(...parts); };
            window.addEventListener('error', (event) => window.__webDriverErrors.push(String(event.message)));
            window.addEventListener('unhandledrejection', (event) => window.__webDriverErrors.push(String(event.reason)));
            """)
    }

    /// What the collector of `installErrorCollector()` caught in the current page.
    func collectedErrors() throws -> [String] {
        try executeScript("return window.__webDriverErrors || [];") as? [String] ?? []
    }

    /// Ends the session and stops chromedriver (later calls do nothing).
    func quit() {
        guard !quitted else { return }
        quitted = true
        if !sessionID.isEmpty { _ = try? request("DELETE", "/session/\(sessionID)") }
        if driver.isRunning {
            driver.terminate()
            driver.waitUntilExit()
        }
    }

    /// Calls the session's endpoint `path` and returns the answer's `value`.
    @discardableResult
    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> Any? {
        try request(method, "/session/\(sessionID)/\(path)", body)["value"] ?? nil
    }

    /// One HTTP request to chromedriver; throws WebDriver's error (its `error` and `message`) on a failure status.
    private func request(_ method: String, _ path: String, _ body: [String: Any]? = nil, timeout: Double = 60) throws -> [String: Any] {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let (status, data) = try LoopbackHTTP.request(port: base.port ?? 0, method: method, path: path, body: payload, timeout: timeout)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        guard (200..<300).contains(status) else {
            let value = json["value"] as? [String: Any]
            throw WebDriverError("\(method) \(path): \(status) \(value?["error"] ?? "") \(value?["message"] ?? "")")
        }
        return json
    }

    /// The first of `names` found on PATH.
    static func executable(_ names: [String]) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in names {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }

    /// A TCP port free on 127.0.0.1 now (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw WebDriverError("no socket for a free port") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw WebDriverError("cannot bind a socket on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A WebDriver command that failed: the command and WebDriver's own error.
struct WebDriverError: Error, CustomStringConvertible {
    /// What failed.
    let description: String
    init(_ description: String) { self.description = description }
}
