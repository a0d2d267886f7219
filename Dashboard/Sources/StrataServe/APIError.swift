/// A request the API refuses: its HTTP status (400 for a bad filter or number, 404 for an unknown run)
/// and a message naming the field at fault, sent as `{"error": message}`.
public struct APIError: Error, CustomStringConvertible, Equatable {
    /// The HTTP status code.
    public let status: Int
    /// What is wrong, naming the field or the run.
    public let message: String

    /// An error with the given status and message.
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// The JSON body sent with the error.
    public var body: JSONValue { .object([("error", .string(message))]) }

    /// 400: the request's field is wrong.
    static func badRequest(_ message: String) -> APIError { APIError(400, message) }

    /// 404: no such run.
    static func notFound(_ message: String) -> APIError { APIError(404, message) }
}
