import ArgumentParser
import Foundation
import StrataServe

/// `strata-serve` (also `strata serve`): the live dashboard over the run store.
@main
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata serve",
        abstract: "The live dashboard over the tracking store: runs, compare, parallel coordinates, run pages, a JSON API.",
        discussion: """
        Listens on 127.0.0.1 (this machine only) unless --host says otherwise; any other host needs --token, \
        which every request must then carry (Authorization: Bearer TOKEN, or ?token=TOKEN in the address). \
        Prints "Serving http://HOST:PORT/" once listening; stop it with Ctrl-C.
        """)

    @Option(help: "The tracking store (default: STRATA_TRACKING_DB, else runs/strata.sqlite).")
    var db: String?

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: a free one, printed).")
    var port = DashboardConfiguration.defaultPort

    @Option(help: "The token every request must carry; required when --host is not loopback.")
    var token: String?

    func run() async throws {
        let configuration = DashboardConfiguration(database: db, host: host, port: port, token: token)
        let server: DashboardServer
        do {
            server = try DashboardServer(configuration: configuration)
        } catch let error as ServeError {
            throw ValidationError(error.description)
        }
        try await server.run()
    }
}
