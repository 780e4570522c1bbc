import Logging
import PostgresNIO
import Store
import Synchronization

/// The scheduler lease over PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a
/// connection of its own. The lock lives as long as that session, so when the leader's process
/// dies (or its connection drops, or the primary fails over) the lock is free at once and the
/// next candidate that asks takes it. Candidates ask every few seconds.
public final class PostgresSchedulerLease: SchedulerLease {
    /// The advisory lock key ("lantschd" in ASCII), apart from the migration and partition locks.
    static let key: Int64 = 0x6C61_6E74_7363_6864
    private let database: PGDatabase
    private let logger: Logger
    private let state = Mutex<(connection: PostgresConnection?, held: Bool)>((nil, false))

    init(_ database: PGDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func acquire() -> Bool {
        state.withLock { state in
            if let connection = state.connection, !connection.isClosed {
                let session = PGSession(connection: connection, logger: logger)
                if state.held {
                    // Still ours while the session is alive.
                    if (try? session.query("SELECT 1")) != nil { return true }
                } else if let got = try? session.query("SELECT pg_try_advisory_lock(\(Self.key))").first?.decode(Bool.self) {
                    state.held = got
                    return got
                }
            }
            // No session, or it failed: whatever lock it held is gone with it.
            if let connection = state.connection { try? connection.close().wait() }
            state = (nil, false)
            guard let connection = try? database.connect() else { return false }
            let got = (try? PGSession(connection: connection, logger: logger).query("SELECT pg_try_advisory_lock(\(Self.key))")
                .first?.decode(Bool.self)) ?? false
            state = (connection, got)
            return got
        }
    }

    public func release() {
        state.withLock { state in
            if let connection = state.connection {
                if state.held { _ = try? PGSession(connection: connection, logger: logger).query("SELECT pg_advisory_unlock(\(Self.key))") }
                try? connection.close().wait()
            }
            state = (nil, false)
        }
    }

    deinit { release() }
}
