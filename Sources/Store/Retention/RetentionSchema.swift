import GRDB

/// Migrations of retention: the destruction log and legal holds.
/// Each is append-only (a released migration is never edited); `Schema` registers them all in
/// their one global order.
enum RetentionSchema {
    /// `v3-retention`
    static func v3Retention(_ db: Database) throws {
        // Destruction is recorded, never rewritten: triggers make the log append-only.
        try db.execute(sql: """
            CREATE TABLE destruction_log (
                id INTEGER PRIMARY KEY,
                destroyed_at INTEGER NOT NULL,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                window_start INTEGER NOT NULL,
                window_end INTEGER NOT NULL,
                readings INTEGER NOT NULL,
                policy TEXT NOT NULL,
                basis TEXT NOT NULL
            );
            CREATE TRIGGER destruction_log_no_update BEFORE UPDATE ON destruction_log
                BEGIN SELECT RAISE(ABORT, 'the destruction log is append-only'); END;
            CREATE TRIGGER destruction_log_no_delete BEFORE DELETE ON destruction_log
                BEGIN SELECT RAISE(ABORT, 'the destruction log is append-only'); END;

            CREATE TABLE legal_hold (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('sensor', 'dataset')),
                subject TEXT NOT NULL,
                window_start INTEGER NOT NULL,
                window_end INTEGER NOT NULL,
                reason TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            """)
    }

    /// `v19-hold-kinds`
    static func v19HoldKinds(_ db: Database) throws {
        // Holds on a wijk or a melding category too (issue 27): the kind check is rebuilt.
        try db.execute(sql: """
            CREATE TABLE legal_hold_v19 (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('sensor', 'dataset', 'wijk', 'category')),
                subject TEXT NOT NULL,
                window_start INTEGER NOT NULL,
                window_end INTEGER NOT NULL,
                reason TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            INSERT INTO legal_hold_v19 SELECT id, kind, subject, window_start, window_end, reason, created_at FROM legal_hold;
            DROP TABLE legal_hold;
            ALTER TABLE legal_hold_v19 RENAME TO legal_hold;
            """)
    }
}
