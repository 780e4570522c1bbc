import GRDB
import LantaarnModel

extension SQLiteRetentionStore: RetentionStore {
    /// Places a legal hold; returns its id.
    @discardableResult
    public func addHold(kind: LegalHold.Kind, subject: String, window: TimeWindow, reason: String) throws -> Int64 {
        guard !reason.trimmingSpaces().isEmpty else { throw StoreError("a legal hold needs a reason (case number or decision)") }
        return try pool.write { db in
            try db.execute(sql: """
                INSERT INTO legal_hold (kind, subject, window_start, window_end, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [kind.rawValue, subject, window.start, window.end, reason, Clock.nowMilliseconds()])
            return db.lastInsertedRowID
        }
    }

    /// Lifts a hold. Throws when there is no such hold.
    public func removeHold(id: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM legal_hold WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError("there is no legal hold with id \(id); 'lantaarn hold list' shows them") }
        }
    }

    /// All holds, oldest first.
    public func holds() throws -> [LegalHold] {
        try pool.read { db in try Self.holds(db) }
    }

    static func holds(_ db: Database) throws -> [LegalHold] {
        try Row.fetchAll(db, sql: "SELECT id, kind, subject, window_start, window_end, reason, created_at FROM legal_hold ORDER BY id").map {
            LegalHold(id: $0[0], kind: LegalHold.Kind(rawValue: $0[1]) ?? .sensor, subject: $0[2],
                      window: TimeWindow(start: $0[3], end: max($0[3], $0[4] as Int64)), reason: $0[5], createdAt: $0[6])
        }
    }

    /// The destruction log, oldest first.
    public func destructionLog() throws -> [DestructionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT destroyed_at, kind, subject, window_start, window_end, readings, policy, basis FROM destruction_log ORDER BY id
                """).map {
                DestructionRecord(destroyedAt: $0[0], kind: $0[1], subject: $0[2], window: TimeWindow(start: $0[3], end: max($0[3], $0[4] as Int64)),
                                  readings: $0[5], policy: $0[6], basis: $0[7])
            }
        }
    }

    /// Appends destruction records made outside the store (e.g. ingest-log segments).
    public func recordDestruction(_ records: [DestructionRecord]) throws {
        try pool.write { db in try Self.insert(db, records) }
    }

    static func insert(_ db: Database, _ records: [DestructionRecord]) throws {
        for r in records {
            try db.execute(sql: """
                INSERT INTO destruction_log (destroyed_at, kind, subject, window_start, window_end, readings, policy, basis)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [r.destroyedAt, r.kind, r.subject, r.window.start, r.window.end, r.readings, r.policy, r.basis])
        }
    }
}
