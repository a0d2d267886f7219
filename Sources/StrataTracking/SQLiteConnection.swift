import CSQLite
import Foundation

/// A value bound to or read from SQLite.
enum SQLValue: Equatable {
    case null, integer(Int64), real(Double), text(String)

    /// A number as an integer or a real, text as text, nil as null.
    init(_ value: Any?) {
        switch value {
        case nil: self = .null
        case let value as SQLValue: self = value
        case let value as Int: self = .integer(Int64(value))
        case let value as Int64: self = .integer(value)
        case let value as Bool: self = .integer(value ? 1 : 0)
        case let value as Double: self = .real(value)
        case let value as String: self = .text(value)
        default: preconditionFailure("SQLValue: unsupported type \(type(of: value!))")
        }
    }

    var integer: Int64? {
        switch self { case .integer(let value): return value; case .real(let value): return Int64(value); default: return nil }
    }
    var real: Double? {
        switch self { case .integer(let value): return Double(value); case .real(let value): return value; default: return nil }
    }
    var text: String? {
        switch self {
        case .text(let value): return value
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .null: return nil
        }
    }
}

/// One row of a query, its values by column name.
struct SQLRow {
    let values: [String: SQLValue]
    func int(_ column: String) -> Int { Int(values[column]?.integer ?? 0) }
    func int64(_ column: String) -> Int64 { values[column]?.integer ?? 0 }
    func optionalInt(_ column: String) -> Int? { values[column]?.integer.map(Int.init) }
    func double(_ column: String) -> Double { values[column]?.real ?? .nan }
    func optionalDouble(_ column: String) -> Double? { values[column]?.real }
    func text(_ column: String) -> String { values[column]?.text ?? "" }
    func optionalText(_ column: String) -> String? { values[column]?.text }
}

/// One connection to an SQLite file through SQLite's C API, in WAL mode with foreign keys on and a busy
/// timeout; every call holds the connection's lock, so threads (a training loop and its heartbeat) share it.
final class SQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let lock = NSRecursiveLock()
    private var statements: [String: OpaquePointer] = [:]
    let path: String

    /// Opens (or creates) the file at `path`; throws with SQLite's message when it cannot.
    init(path: String, busyTimeout: Double) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            handle = nil
            throw TrackingError(message)
        }
        sqlite3_busy_timeout(handle, Int32(busyTimeout * 1000))
        try execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close(handle)
    }

    /// Runs `sql` (several statements when there are no arguments).
    func execute(_ sql: String, _ arguments: [Any?] = []) throws {
        try lock.withLock {
            if arguments.isEmpty, sql.contains(";") {
                var error: UnsafeMutablePointer<CChar>?
                guard sqlite3_exec(handle, sql, nil, nil, &error) == SQLITE_OK else {
                    let message = error.map { String(cString: $0) } ?? "unknown error"
                    sqlite3_free(error)
                    throw TrackingError(message)
                }
                return
            }
            try each(sql, arguments) { _ in }
        }
    }

    /// Runs the one statement `sql` with `values` bound as they are (no casts from `Any`: for a write per point).
    func execute(_ sql: String, values: [SQLValue]) throws {
        try lock.withLock {
            let statement = try prepared(sql)
            defer { sqlite3_reset(statement); sqlite3_clear_bindings(statement) }
            bind(values, to: statement)
            guard sqlite3_step(statement) == SQLITE_DONE else { throw failure(sql) }
        }
    }

    /// The rows of the query `sql`.
    func query(_ sql: String, _ arguments: [Any?] = []) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try each(sql, arguments) { rows.append($0) }
        return rows
    }

    /// Calls `body` with each row of the query `sql`, one at a time.
    func each(_ sql: String, _ arguments: [Any?], _ body: (SQLRow) throws -> Void) throws {
        try lock.withLock {
            let statement = try prepared(sql)
            defer { sqlite3_reset(statement); sqlite3_clear_bindings(statement) }
            bind(arguments.map(SQLValue.init), to: statement)
            let columns = sqlite3_column_count(statement)
            let names = (0..<columns).map { String(cString: sqlite3_column_name(statement, $0)) }
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_DONE { return }
                guard code == SQLITE_ROW else { throw failure(sql) }
                var values: [String: SQLValue] = [:]
                for column in 0..<columns {
                    switch sqlite3_column_type(statement, column) {
                    case SQLITE_INTEGER: values[names[Int(column)]] = .integer(sqlite3_column_int64(statement, column))
                    case SQLITE_FLOAT: values[names[Int(column)]] = .real(sqlite3_column_double(statement, column))
                    case SQLITE_TEXT: values[names[Int(column)]] = .text(String(cString: sqlite3_column_text(statement, column)))
                    default: values[names[Int(column)]] = .null
                    }
                }
                try body(SQLRow(values: values))
            }
        }
    }

    /// Calls `body` with a cursor on each row of the query `sql`, its columns read by position: no
    /// dictionary per row, for long series of points.
    func scan(_ sql: String, _ arguments: [Any?], _ body: (SQLCursor) throws -> Void) throws {
        try lock.withLock {
            let statement = try prepared(sql)
            defer { sqlite3_reset(statement); sqlite3_clear_bindings(statement) }
            bind(arguments.map(SQLValue.init), to: statement)
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_DONE { return }
                guard code == SQLITE_ROW else { throw failure(sql) }
                try body(SQLCursor(statement: statement))
            }
        }
    }

    /// Runs `body` in one transaction that takes the write lock at once (committed, or rolled back when it throws).
    func write<Result>(_ body: () throws -> Result) throws -> Result {
        try lock.withLock {
            try execute("BEGIN IMMEDIATE")
            do {
                let result = try body()
                try execute("COMMIT")
                return result
            } catch {
                try? execute("ROLLBACK")
                throw error
            }
        }
    }

    /// The number of rows the last INSERT, UPDATE or DELETE wrote (0 for an `INSERT OR IGNORE` that was ignored).
    var changes: Int { lock.withLock { Int(sqlite3_changes(handle)) } }

    /// The row id of the last insert.
    var lastInsertedRowID: Int64 { lock.withLock { sqlite3_last_insert_rowid(handle) } }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        if statements.count >= 64 {   // filters make many different queries: keep the cache small
            for statement in statements.values { sqlite3_finalize(statement) }
            statements.removeAll()
        }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw failure(sql) }
        statements[sql] = statement
        return statement
    }

    private func bind(_ values: [SQLValue], to statement: OpaquePointer) {
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, position)
            case .integer(let value): sqlite3_bind_int64(statement, position, value)
            case .real(let value): sqlite3_bind_double(statement, position, value)
            case .text(let value): sqlite3_bind_text(statement, position, value, -1, Self.transient)
            }
        }
    }

    private func failure(_ sql: String) -> TrackingError {
        TrackingError("\(String(cString: sqlite3_errmsg(handle))) (in \(sql.prefix(80)))")
    }

    /// SQLite copies the bound text (its SQLITE_TRANSIENT, a macro Swift cannot import).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// The current row of a `scan`, its columns read by position (0-based); valid only inside the scan's body.
struct SQLCursor {
    let statement: OpaquePointer
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    func text(_ column: Int32) -> String { sqlite3_column_text(statement, column).map { String(cString: $0) } ?? "" }
}
