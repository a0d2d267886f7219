// swift-tools-version:6.0
// The Strata dashboard (`strata-serve`, run by `strata serve`): a package of its own beside Strata's, so that
// building and resolving Strata itself (the README's first command) fetches and compiles no web server.
// Build it from Strata's folder with `swift build -c release --package-path Dashboard`.
import PackageDescription

/// Settings shared by every Swift target, as in Strata's own Package.swift.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "StrataDashboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "strata-serve", targets: ["strata-serve"]),
    ],
    dependencies: [
        .package(name: "Strata", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        // Hummingbird routes, the JSON API over the run store, pages with their CSS and JavaScript as Swift strings.
        .target(name: "StrataServe", dependencies: [
            .product(name: "StrataTracking", package: "Strata"), .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: swiftSettings),
        .executableTarget(name: "strata-serve", dependencies: [
            "StrataServe", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: swiftSettings),

        // The loopback HTTP client both test targets use.
        .target(name: "DashboardTestSupport", path: "Tests/DashboardTestSupport", swiftSettings: swiftSettings),
        // A W3C WebDriver client (chromedriver + headless chromium), its own tests on a static page, and the
        // dashboard's tests in the browser over strata-serve and a store they fill; skipped without chromium.
        .testTarget(name: "StrataServeBrowserTests", dependencies: [
            "StrataServe", "strata-serve", "DashboardTestSupport", .product(name: "StrataTracking", package: "Strata"),
        ], swiftSettings: swiftSettings),
        // The API served on a loopback port to a plain socket client (not HummingbirdTesting, which would bring
        // AsyncHTTPClient and BoringSSL into every test build), and strata-serve as a process.
        .testTarget(name: "StrataServeTests", dependencies: [
            "StrataServe", "strata-serve", "DashboardTestSupport", .product(name: "StrataTracking", package: "Strata"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v5]
)
