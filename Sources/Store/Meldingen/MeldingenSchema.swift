import GRDB

/// Migrations of meldingen openbare ruimte and their alerts.
/// Each is append-only (a released migration is never edited); `Schema` registers them all in
/// their one global order.
enum MeldingenSchema {
    /// `v8-meldingen`
    static func v8Meldingen(_ db: Database) throws {
        // Meldingen openbare ruimte, minimised at ingest: no reporter, no address, no raw
        // text (scrubbed text only when an internal text retention is configured). The
        // exact position is internal; public outputs carry wijk/buurt.
        try db.execute(sql: """
            CREATE TABLE melding (
                id INTEGER PRIMARY KEY,
                source TEXT NOT NULL,
                source_id TEXT NOT NULL,
                category TEXT NOT NULL,
                bor_meld INTEGER,
                hoofdcategorie TEXT,
                created_at INTEGER NOT NULL,
                closed_at INTEGER,
                is_open INTEGER NOT NULL,
                lat REAL,
                lon REAL,
                gemeente TEXT,
                wijk TEXT,
                buurt TEXT,
                channel TEXT,
                scrubbed_text TEXT,
                updated_at INTEGER NOT NULL,
                UNIQUE (source, source_id)
            );
            CREATE INDEX melding_created ON melding(created_at);
            CREATE TABLE melding_status (
                melding_id INTEGER NOT NULL REFERENCES melding(id) ON DELETE CASCADE,
                at INTEGER NOT NULL,
                state TEXT NOT NULL,
                closes INTEGER NOT NULL,
                UNIQUE (melding_id, at, state)
            );
            CREATE TABLE melding_file (
                sha256 TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                format TEXT NOT NULL,
                meldingen INTEGER NOT NULL,
                report TEXT NOT NULL,
                completed_at INTEGER NOT NULL
            );
            """)
    }

    /// `v9-melding-alerts`
    static func v9MeldingAlerts(_ db: Database) throws {
        // Early-warning alerts: advice for a person, never acted on automatically. An
        // alert stays until someone acknowledges it (who, when, note).
        try db.execute(sql: """
            CREATE TABLE melding_alert (
                id INTEGER PRIMARY KEY,
                week_start INTEGER NOT NULL,
                wijk TEXT NOT NULL,
                kind TEXT NOT NULL,
                categories TEXT NOT NULL,
                observed INTEGER NOT NULL,
                expected REAL NOT NULL,
                tail REAL NOT NULL,
                created_at INTEGER NOT NULL,
                acknowledged_at INTEGER,
                acknowledged_by TEXT,
                note TEXT,
                UNIQUE (week_start, wijk, kind, categories)
            );
            """)
    }
}
