// swift-tools-version:6.0
// libFuzzer targets for Strata's readers of outside data, one executable per parser. Not part of the main
// package's build; build them with the fuzzer sanitizer and lld (gold fails on libFuzzer's archive):
//   swift build --package-path Fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld
// Each target's main hands the command line to libFuzzer (LLVMFuzzerRunDriver); LLVMFuzzerTestOneInput is
// exported as well, for libFuzzer's own main that the sanitizer links in beside it.
import PackageDescription

let strata: Target.Dependency = .product(name: "Strata", package: "Strata")

/// One libFuzzer executable for the parser in `Sources/<name>`.
func fuzzTarget(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: [strata, "FuzzInput", "CFuzzer"])
}

let package = Package(
    name: "StrataFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Strata", path: "..")],
    targets: [
        .target(name: "CFuzzer"),
        .target(name: "FuzzInput", dependencies: ["CFuzzer"]),
        fuzzTarget("fuzz-idx"),
        fuzzTarget("fuzz-image"),
        fuzzTarget("fuzz-csv"),
        fuzzTarget("fuzz-safetensors"),
        fuzzTarget("fuzz-checkpoint"),
        fuzzTarget("fuzz-index"),
    ],
    swiftLanguageModes: [.v5]
)
