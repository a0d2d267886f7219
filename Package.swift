// swift-tools-version:6.0
// Strata: a deep-learning toolkit in Swift for Linux, CPU first.
// Targets depend on each other one way, top to bottom, as in ../shared/GUIDE.md.
import PackageDescription

/// Settings shared by every Swift target (safe flags only, so Strata can be used as a dependency).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// For the targets that orchestrate (the experiments, the command line): no optimization even in release, and
/// compiled file by file rather than as one whole-module job, so that both cores work on them at the end of a
/// clean build. Only targets that no library product contains, so other packages can still depend on Strata.
let unoptimizedInRelease: [SwiftSetting] = [
    .unsafeFlags(["-Onone", "-no-whole-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Strata", targets: ["Strata"]),
        .executable(name: "strata", targets: ["strata"]),
        // The run store, for the dashboard's own package (Dashboard/, `strata-serve`) and other tools.
        .library(name: "StrataTracking", targets: ["StrataTracking"]),
        .executable(name: "strata-bench", targets: ["strata-bench"]),
        .executable(name: "strata-microbench", targets: ["strata-microbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries (module maps only), installed by scripts/setup.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),

        // Vectorized C kernels (optimizer updates, compiled for AVX-512, AVX2 and baseline x86-64;
        // exp, tanh and erf through glibc's libmvec, part of libc6).
        .target(name: "CStrataKernels", linkerSettings: [.linkedLibrary("mvec"), .linkedLibrary("m")]),
        // JPEG decoding through libjpeg-turbo with recoverable errors (setjmp/longjmp need C).
        .target(name: "CStrataImage", linkerSettings: [.linkedLibrary("jpeg")]),
        // MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM and MPI_Request as plain C functions (Swift cannot import MPI's macros).
        .target(name: "CStrataMPI", dependencies: ["CMPI"]),

        // Libraries.
        .target(name: "StrataCore", dependencies: ["CBLAS", "CDNNL", "CStrataKernels"], swiftSettings: swiftSettings),
        .target(name: "StrataNN", dependencies: ["StrataCore", "CStrataKernels"], swiftSettings: swiftSettings),
        .target(name: "StrataFiles", swiftSettings: swiftSettings),
        .target(name: "StrataData", dependencies: ["StrataCore", "StrataFiles", "CZlib", "CCairo", "CStrataImage"], swiftSettings: swiftSettings),
        .target(name: "StrataTrain", dependencies: ["StrataCore", "StrataNN", "StrataData", "StrataDistributed"], swiftSettings: swiftSettings),
        // Data parallelism over Open MPI: communicator, collectives, gradient buckets (no MPI without mpirun).
        .target(name: "StrataDistributed", dependencies: ["StrataCore", "CStrataMPI"], swiftSettings: swiftSettings),
        .target(name: "StrataPlot", dependencies: ["CCairo", "StrataFiles"], swiftSettings: swiftSettings),
        // k-means, flat and IVF vector indexes, open-set matching and its metrics.
        .target(name: "StrataRetrieval", dependencies: ["StrataCore", "StrataData", "StrataTrain", "CDNNL", "CStrataKernels"], swiftSettings: swiftSettings),
        // The SQLite run store (the system's libsqlite3, WAL mode), its migrations, the Tracker callback and the
        // --where filters. SQLite's C API rather than GRDB: GRDB added 70-90 s to a clean release build of strata.
        .target(name: "StrataTracking", dependencies: ["StrataTrain", "StrataData", "CSQLite"],
                swiftSettings: swiftSettings),
        // ONNX export (a small protobuf writer of the few messages needed; no protobuf library) and weight import
        // from PyTorch and Keras safetensors (name mappings, layout transforms).
        .target(name: "StrataInterop", dependencies: ["StrataCore", "StrataNN", "StrataTrain"], swiftSettings: swiftSettings),
        // The experiments orchestrate: options, run folders, reports, plots; the work per step and per example is
        // in the libraries above (the argmax vectors in StrataData), so they are compiled without optimization
        // even in release: 17 of the ~24 processor seconds of rebuilding them and the CLI, the longest step at
        // the end of a clean build, when only this module can compile. No library product contains them.
        .target(name: "StrataExperiments", dependencies: ["StrataCore", "StrataNN", "StrataData", "StrataTrain", "StrataPlot",
                                                          "StrataDistributed", "StrataRetrieval", "StrataTracking"],
                swiftSettings: swiftSettings + unoptimizedInRelease),
        // `strata import` (weights from PyTorch and Keras into a run folder): the experiments' glue around StrataInterop,
        // in a module of its own so that StrataExperiments does not wait for StrataInterop in a clean build.
        .target(name: "StrataImport", dependencies: ["StrataExperiments", "StrataInterop"],
                swiftSettings: swiftSettings + unoptimizedInRelease),
        .target(name: "Strata", dependencies: ["StrataCore", "StrataNN", "StrataData", "StrataTrain", "StrataPlot", "StrataRetrieval",
                                               "StrataTracking", "StrataInterop"],
                swiftSettings: swiftSettings),

        // The command line. Argument parsing and printing only (the work is in the libraries), so it is compiled
        // without optimization even in release: 12 of the 104 s of a clean release build on 2 idle cores were
        // this module's optimizer, the last step before linking. No library product contains it, so the flag
        // does not stop other packages from depending on Strata's libraries.
        .executableTarget(name: "strata", dependencies: [
            "StrataExperiments", "StrataDistributed", "StrataInterop", "StrataImport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: swiftSettings + unoptimizedInRelease),

        // The README's example.
        .executableTarget(name: "mnist-mlp", dependencies: ["Strata"], path: "Examples/MNISTMLP",
                          swiftSettings: swiftSettings),
        // The getting-started article's code (Sources/Strata/Strata.docc), run by StrataCommandTests.
        .executableTarget(name: "getting-started", dependencies: ["Strata"], path: "Examples/GettingStarted",
                          swiftSettings: swiftSettings),

        // Benchmarks (executables, not tests).
        .executableTarget(name: "strata-bench", dependencies: ["StrataExperiments", "CBLAS", "CDNNL", "CStrataKernels"],
                          path: "Benchmarks/Bench", swiftSettings: swiftSettings),
        .executableTarget(name: "strata-onnxbench", dependencies: ["StrataExperiments", "StrataInterop"],
                          path: "Benchmarks/ONNXBench", swiftSettings: swiftSettings),
        .executableTarget(name: "strata-ddpbench", dependencies: ["StrataExperiments", "StrataDistributed"],
                          path: "Benchmarks/DDPBench", swiftSettings: swiftSettings),
        .executableTarget(name: "strata-microbench", dependencies: ["StrataCore", "StrataNN", "CBLAS", "CDNNL"],
                          path: "Benchmarks/MicroBench", swiftSettings: swiftSettings),
        .executableTarget(name: "strata-convbench", dependencies: ["StrataCore", "CBLAS", "CDNNL"],
                          path: "Benchmarks/ConvBench", swiftSettings: swiftSettings),
        .executableTarget(name: "strata-databench", dependencies: ["StrataData"], path: "Benchmarks/DataBench",
                          swiftSettings: swiftSettings),
        .executableTarget(name: "strata-mpibench", dependencies: ["StrataDistributed"], path: "Benchmarks/MPIBench",
                          swiftSettings: swiftSettings),
        .executableTarget(name: "strata-trackbench", dependencies: ["StrataTracking"], path: "Benchmarks/TrackBench",
                          swiftSettings: swiftSettings),
        .executableTarget(name: "strata-retrievalbench", dependencies: ["StrataRetrieval"], path: "Benchmarks/RetrievalBench",
                          swiftSettings: swiftSettings),

        // Tests.
        .target(name: "StrataTestSupport", dependencies: ["StrataCore"], path: "Tests/StrataTestSupport",
                swiftSettings: swiftSettings),
        // Fixtures/ holds the PyTorch reference values written by scripts/make-reference.py.
        .testTarget(name: "StrataCoreTests", dependencies: ["StrataCore", "StrataTestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        // Fixtures/ holds PyTorch's optimizer and schedule values (scripts/make-optimizer-reference.py).
        .testTarget(name: "StrataNNTests", dependencies: ["StrataNN", "StrataTestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        // Fixtures/ holds tiny JPEG and PNG files written by scripts/make-image-fixtures.sh.
        .testTarget(name: "StrataDataTests", dependencies: ["StrataData", "StrataTestSupport"], resources: [.copy("Fixtures")],
                    swiftSettings: swiftSettings),
        // Fixtures/ holds safetensors files written by Python and by Strata (scripts/make-safetensors-fixture.py).
        .testTarget(name: "StrataTrainTests", dependencies: ["StrataTrain", "StrataData", "StrataTestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        // Fixtures/ holds PyTorch and Keras models trained one epoch, with their logits (scripts/make-import-fixtures.py).
        // The ONNX Runtime checks run when STRATA_ONNX_PYTHON names the python of scripts/onnx-check-venv.
        .testTarget(name: "StrataInteropTests", dependencies: ["StrataInterop", "StrataExperiments", "StrataImport", "StrataData", "StrataTestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "StrataExperimentsTests", dependencies: ["StrataExperiments", "StrataTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "StrataCommandTests", dependencies: ["strata", "getting-started", "StrataTestSupport", "StrataTracking"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "StrataRetrievalTests", dependencies: ["StrataRetrieval", "StrataTestSupport"],
                    swiftSettings: swiftSettings),
        // Runs single-process, and starts strata-mpi-check under `mpirun -np 2` when mpirun is on PATH.
        .testTarget(name: "StrataDistributedTests", dependencies: ["StrataDistributed", "strata-mpi-check"],
                    swiftSettings: swiftSettings),
        // The program the distributed tests start under mpirun (checks run on every rank).
        .executableTarget(name: "strata-mpi-check", dependencies: ["StrataDistributed", "CStrataMPI", "StrataTrain"], path: "Tests/MPICheck",
                          swiftSettings: swiftSettings),
        .testTarget(name: "StrataPlotTests", dependencies: ["StrataPlot"], swiftSettings: swiftSettings),
        // Starts strata-tracking-writer as a subprocess and kills it mid-run.
        .testTarget(name: "StrataTrackingTests", dependencies: ["StrataTracking", "StrataTrain", "StrataNN", "strata-tracking-writer"],
                    swiftSettings: swiftSettings),
        // The writer the tracking tests kill with SIGKILL part way through a run.
        .executableTarget(name: "strata-tracking-writer", dependencies: ["StrataTracking"], path: "Tests/TrackingWriter",
                          swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v5]
)

// swift-docc-plugin (`swift package generate-documentation`) only when STRATA_DOCS is set, as scripts/build-docs does:
// unconditionally it would add two packages to every fresh resolve and two plugins to every clean `swift build`.
if Context.environment["STRATA_DOCS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"))
}
