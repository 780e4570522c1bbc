import GRDB

/// The first migration: the walking skeleton, which created tables of several domains at once.
/// Each is append-only (a released migration is never edited); `Schema` registers them all in
/// their one global order.
enum SkeletonSchema {
    /// `v1-walking-skeleton`
    static func v1WalkingSkeleton(_ db: Database) throws {
        // Row-per-reading first implementation; the columnar chunk store replaces
        // it behind ReadingStore. Primary key follows arrival order.
        try db.execute(sql: """
            CREATE TABLE reading (
                id INTEGER PRIMARY KEY,
                sensor_id TEXT NOT NULL,
                quantity TEXT NOT NULL,
                ts INTEGER NOT NULL,
                value REAL NOT NULL,
                wijk TEXT
            );
            CREATE INDEX reading_quantity_ts ON reading(quantity, ts);

            CREATE TABLE ingest_offset (
                source TEXT PRIMARY KEY,
                log_offset INTEGER NOT NULL
            );

            CREATE TABLE quarantine (
                id INTEGER PRIMARY KEY,
                received_at INTEGER NOT NULL,
                source TEXT NOT NULL,
                origin TEXT NOT NULL,
                sensor_id TEXT,
                reason TEXT NOT NULL,
                payload BLOB NOT NULL
            );

            CREATE TABLE dataset (
                name TEXT PRIMARY KEY,
                metadata TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            );

            CREATE TABLE release (
                id INTEGER PRIMARY KEY,
                dataset TEXT NOT NULL REFERENCES dataset(name),
                window_start INTEGER NOT NULL,
                window_end INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                rows_in INTEGER NOT NULL,
                rows_out INTEGER NOT NULL,
                lineage TEXT NOT NULL
            );
            CREATE INDEX release_dataset_window ON release(dataset, window_start);

            -- Current rows of each dataset, per window; a re-run replaces its window.
            CREATE TABLE dataset_row (
                dataset TEXT NOT NULL,
                window_start INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                release_id INTEGER NOT NULL REFERENCES release(id),
                cells TEXT NOT NULL,
                PRIMARY KEY (dataset, window_start, seq)
            ) WITHOUT ROWID;
            """)
    }
}
