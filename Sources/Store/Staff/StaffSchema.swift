import GRDB

/// Migrations of staff accounts, their tokens and the audit log.
/// Each is append-only (a released migration is never edited); `Schema` registers them all in
/// their one global order.
enum StaffSchema {
    /// `v26-staff`
    static func v26Staff(_ db: Database) throws {
        // Tokens are kept only as SHA-256; the audit log is append-only (triggers) and hash-chained.
        try db.execute(sql: """
            CREATE TABLE staff (
                name TEXT PRIMARY KEY,
                roles TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                disabled_at INTEGER
            );
            CREATE TABLE staff_token (
                id INTEGER PRIMARY KEY,
                staff TEXT NOT NULL REFERENCES staff(name),
                hash TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            CREATE TABLE audit_entry (
                seq INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                outcome TEXT NOT NULL,
                detail TEXT NOT NULL,
                previous TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE INDEX audit_entry_at ON audit_entry(at);
            CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """)
    }

    /// `v27-audit-retention`
    static func v27AuditRetention(_ db: Database) throws {
        // The purge under the audit log's own retention may delete a prefix of the chain: only
        // inside its transaction (the gate), never otherwise. The anchor keeps the newest entry
        // destroyed, so the chain is verified from there.
        try db.execute(sql: """
            CREATE TABLE audit_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
            CREATE TABLE audit_purge_gate (id INTEGER PRIMARY KEY CHECK (id = 1), open INTEGER NOT NULL);
            DROP TRIGGER audit_entry_no_delete;
            CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
                WHEN coalesce((SELECT open FROM audit_purge_gate WHERE id = 1), 0) = 0
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """)
    }
}

extension StaffSchema {
    /// `v28-approvals`
    static func v28Approvals(_ db: Database) throws {
        // Four-eyes change requests, and console sessions (kept as the SHA-256 of their cookie).
        try db.execute(sql: """
            CREATE TABLE change_request (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                target TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                proposed_by TEXT NOT NULL,
                proposed_at INTEGER NOT NULL,
                summary TEXT NOT NULL,
                diff TEXT NOT NULL,
                preview TEXT NOT NULL,
                status TEXT NOT NULL,
                decided_by TEXT,
                decided_at INTEGER,
                reason TEXT
            );
            CREATE INDEX change_request_target ON change_request(kind, target, status);
            CREATE TABLE staff_session (
                hash TEXT PRIMARY KEY,
                staff TEXT NOT NULL,
                roles TEXT NOT NULL,
                token_id INTEGER,
                via TEXT NOT NULL,
                csrf TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                ended_at INTEGER
            );
            """)
    }
}
