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
        .target(name: "StrataTrain", dependencies: ["StrataCore", "StrataNN"], swiftSettings: swiftSettings),
        .target(name: "Strata", dependencies: ["StrataCore", "StrataNN", "StrataTrain"], swiftSettings: swiftSettings),

        // Benchmarks (executables, not tests).
        .executableTarget(name: "strata-microbench", dependencies: ["StrataCore", "CBLAS"],
                          path: "Benchmarks/MicroBench", swiftSettings: swiftSettings),

        // Benchmarks.
        .executableTarget(name: "strata-convbench", dependencies: ["StrataCore", "CBLAS", "CDNNL"],
                          path: "Benchmarks/ConvBench", swiftSettings: swiftSettings),

        // Tests.
        .target(name: "StrataTestSupport", dependencies: ["StrataCore"], path: "Tests/StrataTestSupport",
                swiftSettings: swiftSettings),
        // Fixtures/ holds the PyTorch reference values written by scripts/make-reference.py.
        .testTarget(name: "StrataCoreTests", dependencies: ["StrataCore", "StrataTestSupport"],
                    resources: [.copy("Fixtures")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "StrataNNTests", dependencies: ["StrataNN", "StrataTestSupport"],
                    swiftSettings: swiftSettings),
        // Fixtures/ holds safetensors files written by Python and by Strata (scripts/make-safetensors-fixture.py).
        .testTarget(name: "StrataTrainTests", dependencies: ["StrataTrain", "StrataTestSupport"],
                    resources: [.copy("Fixtures")],
                    swiftSettings: swiftSettings),

    ],
    swiftLanguageModes: [.v5]
)
