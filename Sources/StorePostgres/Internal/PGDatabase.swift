import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// Connections to the PostgreSQL server of a ``PostgresURL``, used synchronously.
///
/// The store protocols are synchronous, as SQLite's calls are, so each query waits for
/// PostgresNIO's future on the caller's thread. Callers never run on PostgresNIO's event loops,
/// which is what `wait()` requires. Idle connections are kept for reuse; a connection that
/// failed is dropped, and the next call connects again, trying the URL's hosts in order (with
/// `target_session_attrs=read-write` skipping read-only standbys, so a promoted standby is found).
final class PGDatabase: Sendable {
    let url: PostgresURL
    private let logger: Logger
    private let idle = Mutex<[PostgresConnection]>([])
    private let nextID = Atomic<Int>(1)
    /// Idle connections kept for reuse.
    static let maxIdle = 8

    init(url: PostgresURL, logger: Logger) throws {
        self.url = url
        self.logger = logger
        try PGSchema.migrate(self)
    }

    deinit {
        for connection in idle.withLock({ $0 }) { try? connection.close().wait() }
    }

    /// Runs `body` on a connection of its own.
    @discardableResult
    func withSession<T>(_ body: (PGSession) throws -> T) throws -> T {
        let connection = try reusable() ?? connect()
        do {
            let result = try body(PGSession(connection: connection, logger: logger))
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs `body` in one transaction: committed when it returns (rolled back when `commit` is
    /// false: a dry run), rolled back when it throws.
    @discardableResult
    func transaction<T>(commit: Bool = true, _ body: (PGSession) throws -> T) throws -> T {
        try withSession { session in
            try session.execute("BEGIN")
            do {
                let result = try body(session)
                try session.execute(commit ? "COMMIT" : "ROLLBACK")
                return result
            } catch {
                try? session.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// An idle connection that is still open. Connections the server closed (a restart, or the
    /// primary gone in a failover) are dropped, so the next call connects again.
    private func reusable() -> PostgresConnection? {
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return connection }
        }
        return nil
    }

    private func release(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let kept = idle.withLock { list -> Bool in
            guard list.count < Self.maxIdle else { return false }
            list.append(connection)
            return true
        }
        if !kept { try? connection.close().wait() }
    }

    /// A new connection to the first host that takes it (read-write when the URL asks).
    func connect() throws -> PostgresConnection {
        var failures: [String] = []
        for host in url.hosts {
            let configuration = PostgresConnection.Configuration(host: host.name, port: host.port, username: url.user,
                                                                 password: url.password, database: url.database, tls: .disable)
            do {
                let connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                                id: nextID.add(1, ordering: .relaxed).oldValue, logger: logger).wait()
                if url.requiresReadWrite {
                    let rows = try PGSession(connection: connection, logger: logger).query("SHOW transaction_read_only")
                    if try rows.first?.decode(String.self) == "on" {
                        try? connection.close().wait()
                        failures.append("\(host.name):\(host.port) is read-only (a standby)")
                        continue
                    }
                }
                return connection
            } catch {
                failures.append("\(host.name):\(host.port): \(PGSession.describe(error))")
            }
        }
        throw PostgresStoreError("""
            cannot connect to \(url.redacted): \(failures.joined(separator: "; ")). \
            Check that PostgreSQL runs there, that the user may log in to the database, and for a failover that one host accepts writes.
            """)
    }
}

/// One connection, for the duration of a ``PGDatabase/withSession(_:)`` or transaction.
struct PGSession {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        do {
            return try connection.query(query, logger: logger).wait().rows
        } catch {
            throw PostgresStoreError("PostgreSQL refused a statement: \(Self.describe(error))",
                                     sqlState: (error as? PSQLError)?.serverInfo?[.sqlState])
        }
    }

    /// Runs one statement without parameters (DDL, BEGIN, COMMIT).
    func execute(_ sql: String) throws {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// The server's message and SQLSTATE, without the query's parameters (they may be personal data).
    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(e.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(e.code)"
        }
        return "\(error)"
    }
}
