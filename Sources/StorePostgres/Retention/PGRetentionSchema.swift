/// Legal holds and the destruction log. The log is append-only: a trigger refuses updates and
/// deletes, as in SQLite.
enum PGRetentionSchema {
    static let v7Retention = [
        """
        CREATE TABLE legal_hold (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind text NOT NULL CHECK (kind IN ('sensor', 'dataset', 'wijk', 'category')),
            subject text NOT NULL,
            window_start bigint NOT NULL,
            window_end bigint NOT NULL,
            reason text NOT NULL,
            created_at bigint NOT NULL
        )
        """,
        """
        CREATE TABLE destruction_log (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            destroyed_at bigint NOT NULL,
            kind text NOT NULL,
            subject text NOT NULL,
            window_start bigint NOT NULL,
            window_end bigint NOT NULL,
            readings bigint NOT NULL,
            policy text NOT NULL,
            basis text NOT NULL
        )
        """,
        """
        CREATE FUNCTION destruction_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the destruction log is append-only'; END $$
        """,
        """
        CREATE TRIGGER destruction_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON destruction_log
        FOR EACH STATEMENT EXECUTE FUNCTION destruction_log_append_only()
        """,
    ]
}
