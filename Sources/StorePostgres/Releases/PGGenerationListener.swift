import Logging
import PostgresNIO
import Synchronization

/// The dataset generation as PostgreSQL announces it: a connection of its own `LISTEN`s on
/// ``PostgresReleaseStore/generationChannel``, which every register, publish and purge notifies on
/// commit, from any node. So an HTTP node learns of another node's publish within milliseconds and
/// its response caches ask nothing of the database meanwhile. While the listening connection is
/// down (a restart, a failover), the generation is read by query and the listener started again.
final class PGGenerationListener: Sendable {
    private let database: PGDatabase
    private let logger: Logger
    private struct State {
        var connection: PostgresConnection?
        var generation: Int64 = -1
        var lastAttempt: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    /// How often a failed listener is started again, at most.
    static let retry = Duration.seconds(2)

    init(_ database: PGDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    deinit {
        if let connection = state.withLock({ $0.connection }) { try? connection.close().wait() }
    }

    /// The announced generation, `nil` when no listener is up (then the caller queries).
    func generation() -> Int64? {
        state.withLock { s in
            guard let connection = s.connection, !connection.isClosed, s.generation >= 0 else { return nil }
            return s.generation
        }
    }

    /// Takes a generation read by query (never goes back).
    func raise(to value: Int64) {
        state.withLock { s in if s.connection != nil { s.generation = max(s.generation, value) } }
    }

    /// Starts listening unless a listener is up or was tried within ``retry``; `current` reads the
    /// stored generation once the `LISTEN` is in place, so no change falls between the two.
    func startIfNeeded(current: () throws -> Int64) {
        let now = ContinuousClock.now
        let due = state.withLock { s -> Bool in
            if let connection = s.connection, !connection.isClosed { return false }
            if let last = s.lastAttempt, now - last < Self.retry { return false }
            s.lastAttempt = now
            s.connection = nil
            s.generation = -1
            return true
        }
        guard due else { return }
        do {
            let connection = try database.connect()
            connection.addListener(channel: PostgresReleaseStore.generationChannel) { [weak self] _, notification in
                guard let value = Int64(notification.payload) else { return }
                self?.state.withLock { $0.generation = max($0.generation, value) }
            }
            try PGSession(connection: connection, logger: logger).execute("LISTEN \(PostgresReleaseStore.generationChannel)")
            let stored = try current()
            state.withLock { s in
                s.connection = connection
                s.generation = max(s.generation, stored)
            }
        } catch {
            logger.warning("dataset changes are read by query until listening works again", metadata: ["error": "\(error)"])
        }
    }
}
