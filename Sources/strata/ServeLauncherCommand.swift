import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `strata serve`: runs `strata-serve`, the dashboard, found next to this executable, with the same arguments.
/// The dashboard is a separate product so that building `strata` compiles no web server.
struct ServeLauncherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The live dashboard over the tracking store (runs strata-serve, built with `swift build -c release --product strata-serve`).",
        discussion: """
        Options (passed to strata-serve): --db PATH (default: STRATA_TRACKING_DB, else runs/strata.sqlite), \
        --host ADDRESS (default 127.0.0.1), --port N (default 6006; 0 picks a free one), --token SECRET (required \
        when --host is not loopback; every request then carries it). Prints "Serving http://HOST:PORT/" once listening.
        """)

    @Argument(parsing: .captureForPassthrough, help: "strata-serve's options: --db, --host, --port, --token.")
    var arguments: [String] = []

    func run() throws {
        let executable = Self.serverExecutable()
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw ServeUnavailable(description: Self.missingMessage(executable))
        }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        execv(executable.path, argv)
        throw ServeUnavailable(description: "cannot start \(executable.path): \(String(cString: strerror(errno)))")
    }

    /// `strata-serve` in the folder of the running `strata`.
    static func serverExecutable() -> URL {
        let running = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return running.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("strata-serve")
    }

    /// What to do when `strata-serve` is not built.
    static func missingMessage(_ executable: URL) -> String {
        "strata serve runs the dashboard strata-serve, which is not built (looked for \(executable.path)); build it with "
            + "`swift build -c release --product strata-serve` (or `swift build --product strata-serve` beside a debug strata)"
    }
}

/// `strata serve` cannot run the dashboard (not built, or not executable); the message says what to do.
struct ServeUnavailable: Error, CustomStringConvertible {
    /// What is wrong and how to build strata-serve.
    let description: String
}
