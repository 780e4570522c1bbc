/// Staff accounts, their tokens (SHA-256 only) and the hash-chained audit log, append-only as in
/// SQLite.
enum PGStaffSchema {
    static let v9Staff = [
        """
        CREATE TABLE staff (
            name text PRIMARY KEY,
            roles text NOT NULL,
            created_at bigint NOT NULL,
            disabled_at bigint
        )
        """,
        """
        CREATE TABLE staff_token (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            staff text NOT NULL REFERENCES staff (name),
            hash text NOT NULL UNIQUE,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            revoked_at bigint
        )
        """,
        """
        CREATE TABLE audit_entry (
            seq bigint PRIMARY KEY,
            at bigint NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            target text NOT NULL,
            outcome text NOT NULL,
            detail text NOT NULL,
            previous text NOT NULL,
            hash text NOT NULL
        )
        """,
        "CREATE INDEX audit_entry_at ON audit_entry (at)",
        """
        CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
        """,
        """
        CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entry
        FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()
        """,
    ]

    /// The purge under the audit log's retention may delete a prefix of the chain, only with
    /// `SET LOCAL lantaarn.audit_purge = 'on'` in its transaction; the anchor keeps the newest
    /// entry destroyed.
    static let v10AuditRetention = [
        "CREATE TABLE audit_anchor (id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL, hash text NOT NULL)",
        """
        CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND current_setting('lantaarn.audit_purge', true) = 'on' THEN RETURN NULL; END IF;
            RAISE EXCEPTION 'the audit log is append-only';
        END $$
        """,
    ]
}

extension PGStaffSchema {
    /// Four-eyes change requests and console sessions (the SHA-256 of their cookie), as in SQLite.
    static let v11Approvals = [
        """
        CREATE TABLE change_request (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind text NOT NULL,
            target text NOT NULL,
            content_hash text NOT NULL,
            proposed_by text NOT NULL,
            proposed_at bigint NOT NULL,
            summary text NOT NULL,
            diff text NOT NULL,
            preview text NOT NULL,
            status text NOT NULL,
            decided_by text,
            decided_at bigint,
            reason text
        )
        """,
        "CREATE INDEX change_request_target ON change_request (kind, target, status)",
        """
        CREATE TABLE staff_session (
            hash text PRIMARY KEY,
            staff text NOT NULL,
            roles text NOT NULL,
            token_id bigint,
            via text NOT NULL,
            csrf text NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            ended_at bigint
        )
        """,
    ]
}
