import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `strata serve`: runs `strata-serve`, the dashboard, with the same arguments: the one next to this executable,
/// else the one built in the `Dashboard` package of the Strata checkout this executable was built in. The
/// dashboard is a package of its own (Dashboard/) so that resolving and building `strata` fetches no web server.
struct ServeLauncherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The live dashboard over the tracking store (runs strata-serve, built with `swift build -c release --package-path Dashboard`).",
        discussion: """
        Options (passed to strata-serve): --db PATH (default: STRATA_TRACKING_DB, else runs/strata.sqlite), \
        --host ADDRESS (default 127.0.0.1), --port N (default 6006; 0 picks a free one), --token SECRET (required \
        when --host is not loopback; every request then carries it). Prints "Serving http://HOST:PORT/" once listening.
        """)

    @Argument(parsing: .captureForPassthrough, help: "strata-serve's options: --db, --host, --port, --token.")
    var arguments: [String] = []

    func run() throws {
        let running = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let candidates = Self.serverCandidates(strata: running)
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw ServeUnavailable(description: Self.missingMessage(candidates))
        }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        execv(executable.path, argv)
        throw ServeUnavailable(description: "cannot start \(executable.path): \(String(cString: strerror(errno)))")
    }

    /// Where `strata-serve` may be, in order: the folder of `strata`; then, when `strata` lies in a Strata
    /// checkout's build folder, that checkout's `Dashboard/.build/<configuration>/strata-serve` (the same
    /// configuration first, `release` or `debug`).
    static func serverCandidates(strata: URL) -> [URL] {
        let folder = strata.resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates = [folder.appendingPathComponent("strata-serve")]
        let configurations = folder.lastPathComponent == "debug" ? ["debug", "release"] : ["release", "debug"]
        var root = folder
        while root.pathComponents.count > 1 {
            root = root.deletingLastPathComponent()
            let dashboard = root.appendingPathComponent("Dashboard")
            if FileManager.default.fileExists(atPath: dashboard.appendingPathComponent("Package.swift").path) {
                candidates += configurations.map {
                    dashboard.appendingPathComponent(".build").appendingPathComponent($0).appendingPathComponent("strata-serve")
                }
                break
            }
        }
        return candidates
    }

    /// What to do when `strata-serve` is not built: where it was looked for and the command that builds it.
    static func missingMessage(_ candidates: [URL]) -> String {
        "strata serve runs the dashboard strata-serve, which is not built (looked for "
            + candidates.map(\.path).joined(separator: ", ")
            + "); build it in Strata's folder with `swift build -c release --package-path Dashboard` "
            + "(its own package, so that strata's build fetches no web server), or put strata-serve beside strata"
    }
}

/// `strata serve` cannot run the dashboard (not built, or not executable); the message says what to do.
struct ServeUnavailable: Error, CustomStringConvertible {
    /// What is wrong and how to build strata-serve.
    let description: String
}
