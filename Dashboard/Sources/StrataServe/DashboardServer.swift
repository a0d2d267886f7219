import Foundation
import Hummingbird
import Logging
import StrataTracking

/// `strata serve`: the dashboard's web server over a run store, until SIGINT or SIGTERM.
///
/// ```swift
/// try await DashboardServer(configuration: DashboardConfiguration(port: 0)).run()   // prints "Serving http://127.0.0.1:PORT/"
/// ```
public struct DashboardServer: Sendable {
    /// The options it runs with.
    public let configuration: DashboardConfiguration
    /// The store it reads.
    public let store: RunStore

    /// A server for `configuration`; throws naming the option at fault (a non-loopback host without a token)
    /// or the store when there is none at its path.
    public init(configuration: DashboardConfiguration) throws {
        try configuration.validate()
        guard FileManager.default.fileExists(atPath: configuration.database) else {
            throw ServeError("no tracking store at \(configuration.database): training commands create it, or give --db "
                             + "(or STRATA_TRACKING_DB)")
        }
        self.configuration = configuration
        self.store = try RunStore(path: configuration.database)
    }

    /// The application: the dashboard's router listening at the configured host and port, calling
    /// `onListening` with its address (`http://127.0.0.1:6006/`) once it accepts connections.
    public func application(onListening: @escaping @Sendable (String) -> Void) -> some ApplicationProtocol {
        let router = DashboardRouter.make(api: DashboardAPI(store: store), token: configuration.token)
        var logger = Logger(label: "strata-serve")
        logger.logLevel = .warning
        let host = configuration.host
        return Application(router: router,
                           configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port),
                                                                   serverName: "strata-serve"),
                           onServerRunning: { channel in
                               let port = channel.localAddress?.port ?? 0
                               let shown = host.contains(":") ? "[\(host)]" : host
                               onListening("http://\(shown):\(port)/")
                           },
                           logger: logger)
    }

    /// Serves until SIGINT or SIGTERM, printing `Serving http://HOST:PORT/` (flushed) once listening.
    public func run() async throws {
        let app = application { address in
            FileHandle.standardOutput.write(Data("Serving \(address)\n".utf8))
        }
        try await app.runService()
    }
}
