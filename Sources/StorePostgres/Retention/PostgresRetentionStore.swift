import LantaarnModel
import PostgresNIO
import Store

/// Legal holds, the append-only destruction log and the purge (``Purge``, shared with SQLite) in
/// PostgreSQL.
public final class PostgresRetentionStore: Sendable {
    let database: PGDatabase

    init(_ database: PGDatabase) { self.database = database }

    /// Appends `records` inside the caller's transaction.
    static func insert(_ session: PGSession, _ records: [DestructionRecord]) throws {
        for r in records {
            try session.query("""
                INSERT INTO destruction_log (destroyed_at, kind, subject, window_start, window_end, readings, policy, basis)
                VALUES (\(r.destroyedAt), \(r.kind), \(r.subject), \(r.window.start), \(r.window.end), \(r.readings), \(r.policy), \(r.basis))
                """)
        }
    }
}

extension PostgresRetentionStore: LegalHoldStore {
    @discardableResult
    public func addHold(kind: LegalHold.Kind, subject: String, window: TimeWindow, reason: String) throws -> Int64 {
        guard !reason.trimmingSpaces().isEmpty else { throw StoreError("a legal hold needs a reason (case number or decision)") }
        return try database.withSession { session in
            let rows = try session.query("""
                INSERT INTO legal_hold (kind, subject, window_start, window_end, reason, created_at)
                VALUES (\(kind.rawValue), \(subject), \(window.start), \(window.end), \(reason), \(Clock.nowMilliseconds())) RETURNING id
                """)
            return try rows[0].decode(Int64.self)
        }
    }

    public func removeHold(id: Int64) throws {
        try database.withSession { session in
            guard try !session.query("DELETE FROM legal_hold WHERE id = \(id) RETURNING id").isEmpty else {
                throw StoreError("there is no legal hold with id \(id); 'lantaarn hold list' shows them")
            }
        }
    }

    public func holds() throws -> [LegalHold] {
        try database.withSession { try Self.holds($0) }
    }

    static func holds(_ session: PGSession) throws -> [LegalHold] {
        try session.query("SELECT id, kind, subject, window_start, window_end, reason, created_at FROM legal_hold ORDER BY id").map { row in
            let (id, kind, subject, start, end, reason, createdAt) = try row.decode((Int64, String, String, Int64, Int64, String, Int64).self)
            return LegalHold(id: id, kind: LegalHold.Kind(rawValue: kind) ?? .sensor, subject: subject,
                             window: TimeWindow(start: start, end: max(start, end)), reason: reason, createdAt: createdAt)
        }
    }

    public func destructionLog() throws -> [DestructionRecord] {
        try database.withSession { session in
            try session.query("""
                SELECT destroyed_at, kind, subject, window_start, window_end, readings, policy, basis FROM destruction_log ORDER BY id
                """).map { row in
                let (at, kind, subject, start, end, readings, policy, basis) = try row.decode((Int64, String, String, Int64, Int64, Int, String, String).self)
                return DestructionRecord(destroyedAt: at, kind: kind, subject: subject, window: TimeWindow(start: start, end: max(start, end)),
                                         readings: readings, policy: policy, basis: basis)
            }
        }
    }

    public func recordDestruction(_ records: [DestructionRecord]) throws {
        try database.transaction { try Self.insert($0, records) }
    }
}
