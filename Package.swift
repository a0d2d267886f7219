// swift-tools-version:6.0
// Strata: a deep-learning toolkit in Swift for Linux, CPU first.
// Targets and their one-way dependencies are described in ../shared/GUIDE.md and docs/architecture.md.
import PackageDescription

/// Optimisation flags shared by every Swift target (safe flags only, so Strata can be a dependency).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Strata", targets: ["Strata"]),
        .executable(name: "strata-microbench", targets: ["strata-microbench"]),
    ],
    dependencies: [],
    targets: [
        // System libraries (module maps only). Installed by scripts/setup.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // Libraries.
        .target(name: "StrataCore", dependencies: ["CBLAS", "CDNNL"], swiftSettings: swiftSettings),
        .target(name: "StrataNN", dependencies: ["StrataCore"], swiftSettings: swiftSettings),
        .target(name: "Strata", dependencies: ["StrataCore", "StrataNN"], swiftSettings: swiftSettings),

        // Benchmarks (executables, not tests).
        .executableTarget(name: "strata-microbench", dependencies: ["StrataCore", "CBLAS"],
                          path: "Benchmarks/MicroBench", swiftSettings: swiftSettings),

        // Tests.
        .target(name: "StrataTestSupport", dependencies: ["StrataCore"], path: "Tests/StrataTestSupport",
                swiftSettings: swiftSettings),
        .testTarget(name: "StrataCoreTests", dependencies: ["StrataCore", "StrataTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "StrataNNTests", dependencies: ["StrataNN", "StrataCore", "StrataTestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: swiftSettings),

    ],
    swiftLanguageModes: [.v5]
)
