import Foundation
import StrataTracking

/// How `strata serve` runs: the store it reads, where it listens and the token it asks for.
public struct DashboardConfiguration: Sendable, Equatable {
    /// The port by default (TensorBoard's).
    public static let defaultPort = 6006

    /// The tracking store's path.
    public var database: String
    /// The address to listen on (`127.0.0.1` by default: this machine only).
    public var host: String
    /// The port to listen on; 0 picks a free one.
    public var port: Int
    /// The token every request must carry (`Authorization: Bearer TOKEN` or `?token=TOKEN`); nil: none asked.
    public var token: String?

    /// A configuration; `database` nil means `STRATA_TRACKING_DB`, else `runs/strata.sqlite`.
    public init(database: String? = nil, host: String = "127.0.0.1", port: Int = defaultPort, token: String? = nil) {
        self.database = RunStore.path(given: database)
        self.host = host
        self.port = port
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Throws naming the option at fault: a port outside 0...65535, an empty host, or a host other than
    /// loopback without a token (anyone on the network could read and archive the runs).
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ServeError("--port must be between 0 and 65535, got \(port)") }
        guard !host.isEmpty else { throw ServeError("--host must not be empty") }
        if token == nil, !Self.isLoopback(host) {
            throw ServeError("--host \(host) is reachable from other machines: give --token SECRET, which every request "
                             + "must then carry (Authorization: Bearer SECRET, or ?token=SECRET in the address)")
        }
    }

    /// Whether `host` reaches only this machine: `localhost`, `127.x.x.x` or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}

/// A fault of `strata serve`'s options or start a user can cause; the message names the option.
public struct ServeError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
