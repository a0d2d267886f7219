import Foundation
import XCTest

/// `mpirun -np <ranks> strata-mpi-check <mode>` run as a subprocess with a time limit, for the tests that
/// need several ranks. Skips the calling test when mpirun is not on PATH.
struct MPIJob {
    /// How one job ended.
    struct Outcome {
        /// mpirun's exit status (non-zero when a rank failed or was killed).
        var status: Int32
        /// Standard output and error together.
        var output: String
        /// Seconds from start to end.
        var seconds: Double
        /// Whether the time limit ran out (the job was then terminated).
        var timedOut: Bool
    }

    /// The `mpirun` on PATH, or nil.
    static var mpirun: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The `strata-mpi-check` executable built next to the test bundle.
    static var driver: URL {
        let bundle = Bundle(for: BundleMarker.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()]
        let folder = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("strata-mpi-check").path) }
        return (folder ?? bundle).appendingPathComponent("strata-mpi-check")
    }

    /// Runs `mode` on `ranks` ranks with `environment` passed to every rank (`-x`), terminating mpirun (which
    /// ends its ranks) after `limit` seconds.
    static func run(_ mode: String, ranks: Int = 2, environment: [String: String] = [:], limit: Double = 60) throws -> Outcome {
        guard let mpirun else { throw XCTSkip("mpirun is not on PATH (scripts/setup installs openmpi-bin): multi-rank tests skipped") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: driver.path), "no strata-mpi-check at \(driver.path)")
        var arguments = ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", String(ranks)]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { arguments += ["-x", "\(name)=\(value)"] }
        return try launch(mpirun, arguments: arguments + [driver.path, mode], limit: limit)
    }

    /// Runs `mode` as a two-host job: one rank in each of two network namespaces joined by a veth pair,
    /// over TCP (`scripts/mpi-two-hosts`); skips unless run as root with `ip` and mpirun.
    static func runOnTwoHosts(_ mode: String, link: [String] = [], limit: Double = 120, file: String = #filePath) throws -> Outcome {
        guard mpirun != nil else { throw XCTSkip("mpirun is not on PATH: the two-host test is skipped") }
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip") else {
            throw XCTSkip("network namespaces need root and iproute2: the two-host test is skipped")
        }
        let script = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/mpi-two-hosts")
        return try launch(script, arguments: link + ["--", driver.path, mode], limit: limit)
    }

    /// Runs `executable` with `arguments`, output and errors to one file, terminating it after `limit` seconds.
    private static func launch(_ executable: URL, arguments: [String], limit: Double) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        // Containers often forbid the cross-memory attach that shared-memory transfers try first.
        variables["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        process.environment = variables
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("strata-mpi-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        try Data().write(to: outputFile)
        let output = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = output
        process.standardError = output
        let start = Date()
        try process.run()
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(start) > limit {
                timedOut = true
                process.terminate()
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        try output.close()
        return Outcome(status: process.terminationStatus,
                       output: String(decoding: try Data(contentsOf: outputFile), as: UTF8.self),
                       seconds: Date().timeIntervalSince(start), timedOut: timedOut)
    }
}

/// A class of this test bundle, to find the bundle by.
private final class BundleMarker {}
