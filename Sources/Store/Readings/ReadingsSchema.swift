import GRDB

/// Migrations of the readings: series, chunks, timestamp blocks, the open buffer, quarantine,
/// loaded files, corrections.
/// Each is append-only (a released migration is never edited); `Schema` registers them all in
/// their one global order.
enum ReadingsSchema {
    /// `v2-chunked-columns`
    static func v2ChunkedColumns(_ db: Database) throws {
        // Readings move to compressed chunks: one row per (series, time window),
        // with an open buffer for the windows still accepting late readings.
        // A series is sensor × quantity × wijk ('' = outside every known wijk).
        try db.execute(sql: """
            CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);

            CREATE TABLE series (
                id INTEGER PRIMARY KEY,
                sensor_id TEXT NOT NULL,
                quantity TEXT NOT NULL,
                wijk TEXT NOT NULL DEFAULT '',
                sealed_until INTEGER NOT NULL,
                watermark INTEGER NOT NULL,
                UNIQUE (sensor_id, quantity, wijk)
            );
            CREATE INDEX series_quantity ON series(quantity);

            CREATE TABLE chunk (
                id INTEGER PRIMARY KEY,
                series_id INTEGER NOT NULL REFERENCES series(id),
                window_start INTEGER NOT NULL,
                min_ts INTEGER NOT NULL,
                max_ts INTEGER NOT NULL,
                count INTEGER NOT NULL,
                min_value REAL NOT NULL,
                max_value REAL NOT NULL,
                sum REAL NOT NULL,
                ts BLOB NOT NULL,
                value BLOB NOT NULL,
                flags BLOB NOT NULL
            );
            CREATE INDEX chunk_window ON chunk(window_start, series_id);

            CREATE TABLE open_reading (
                id INTEGER PRIMARY KEY,
                series_id INTEGER NOT NULL REFERENCES series(id),
                ts INTEGER NOT NULL,
                value REAL NOT NULL,
                flags INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX open_reading_series_ts ON open_reading(series_id, ts);

            INSERT INTO series (sensor_id, quantity, wijk, sealed_until, watermark)
                SELECT sensor_id, quantity, coalesce(wijk, ''), -9223372036854775808, max(ts)
                FROM reading GROUP BY sensor_id, quantity, coalesce(wijk, '');
            INSERT INTO open_reading (series_id, ts, value)
                SELECT s.id, r.ts, r.value FROM reading r
                JOIN series s ON s.sensor_id = r.sensor_id AND s.quantity = r.quantity AND s.wijk = coalesce(r.wijk, '')
                ORDER BY r.id;
            DROP TABLE reading;
            """)
    }

    /// `v4-shared-timestamps`
    static func v4SharedTimestamps(_ db: Database) throws {
        // A sensor's quantities share one timestamp column: chunks of the same sensor and
        // window with identical timestamps point at one block. Triggers count the
        // references, so deleting the last chunk that uses a block deletes the block.
        try db.execute(sql: """
            CREATE TABLE ts_block (
                id INTEGER PRIMARY KEY,
                refs INTEGER NOT NULL DEFAULT 0,
                ts BLOB NOT NULL
            );
            INSERT INTO ts_block (id, refs, ts) SELECT id, 1, ts FROM chunk;

            CREATE TABLE chunk_v4 (
                id INTEGER PRIMARY KEY,
                series_id INTEGER NOT NULL REFERENCES series(id),
                window_start INTEGER NOT NULL,
                min_ts INTEGER NOT NULL,
                max_ts INTEGER NOT NULL,
                count INTEGER NOT NULL,
                min_value REAL NOT NULL,
                max_value REAL NOT NULL,
                sum REAL NOT NULL,
                ts_id INTEGER NOT NULL REFERENCES ts_block(id),
                value BLOB NOT NULL,
                flags BLOB NOT NULL
            );
            INSERT INTO chunk_v4 SELECT id, series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum,
                id, value, flags FROM chunk ORDER BY id;
            DROP TABLE chunk;
            ALTER TABLE chunk_v4 RENAME TO chunk;
            CREATE INDEX chunk_window ON chunk(window_start, series_id);

            CREATE TRIGGER chunk_takes_ts AFTER INSERT ON chunk
                BEGIN UPDATE ts_block SET refs = refs + 1 WHERE id = new.ts_id; END;
            CREATE TRIGGER chunk_releases_ts AFTER DELETE ON chunk
                BEGIN
                    UPDATE ts_block SET refs = refs - 1 WHERE id = old.ts_id;
                    DELETE FROM ts_block WHERE id = old.ts_id AND refs <= 0;
                END;
            """)
    }

    /// `v5-quarantine-value`
    static func v5QuarantineValue(_ db: Database) throws {
        // Which value of a partly stored message was rejected, so a replay stores only that one.
        try db.execute(sql: """
            ALTER TABLE quarantine ADD COLUMN field TEXT;
            ALTER TABLE quarantine ADD COLUMN field_ts INTEGER;
            """)
    }

    /// `v6-ingested-files`
    static func v6IngestedFiles(_ db: Database) throws {
        // Files loaded by `lantaarn ingest FILE`, by content hash: a completed file is not
        // loaded twice. Progress inside a file is its ingest_offset row ('file:' + hash).
        try db.execute(sql: """
            CREATE TABLE ingested_file (
                sha256 TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                bytes INTEGER NOT NULL,
                rows INTEGER NOT NULL,
                readings INTEGER NOT NULL,
                quarantined INTEGER NOT NULL,
                completed_at INTEGER NOT NULL
            );
            """)
    }

    /// `v16-chunk-series`
    static func v16ChunkSeries(_ db: Database) throws {
        // A series' chunks without scanning every chunk: its time span (SensorThings asks
        // for it on every Datastream), the purge's check for emptied series, reassignment.
        try db.execute(sql: "CREATE INDEX chunk_series ON chunk(series_id, window_start)")
    }

    /// `v20-chunk-ts-index`
    static func v20ChunkTsIndex(_ db: Database) throws {
        // Deleting a timestamp block checks that no chunk still points at it (the foreign
        // key): without this index that is a scan of every chunk, per block. Backfill deletes
        // a block for every window it rewrites (issue 28), the purge one per day it destroys.
        try db.execute(sql: "CREATE INDEX chunk_ts ON chunk(ts_id)")
    }

    /// `v22-reading-corrections`
    static func v22ReadingCorrections(_ db: Database) throws {
        // Stored values replaced on purpose (`lantaarn quarantine replay --replace`): which,
        // from what to what, when and why. The record of every correction (issue 28).
        try db.execute(sql: """
            CREATE TABLE reading_correction (
                id INTEGER PRIMARY KEY,
                corrected_at INTEGER NOT NULL,
                sensor_id TEXT NOT NULL,
                quantity TEXT NOT NULL,
                ts INTEGER NOT NULL,
                old_value REAL NOT NULL,
                new_value REAL NOT NULL,
                note TEXT NOT NULL
            );
            """)
    }

    /// `v23-series-buurt`
    static func v23SeriesBuurt(_ db: Database) throws {
        // A series is sensor × quantity × wijk × buurt (issue 28): each reading keeps the buurt
        // its sensor hung in at the reading's time. Series keep their ids (chunks point at
        // them); existing ones have no buurt ('': pipelines place them by the sensor's position).
        try db.execute(sql: """
            CREATE TABLE series_v23 (
                id INTEGER PRIMARY KEY,
                sensor_id TEXT NOT NULL,
                quantity TEXT NOT NULL,
                wijk TEXT NOT NULL DEFAULT '',
                buurt TEXT NOT NULL DEFAULT '',
                sealed_until INTEGER NOT NULL,
                watermark INTEGER NOT NULL,
                UNIQUE (sensor_id, quantity, wijk, buurt)
            );
            INSERT INTO series_v23 (id, sensor_id, quantity, wijk, sealed_until, watermark)
                SELECT id, sensor_id, quantity, wijk, sealed_until, watermark FROM series;
            DROP TABLE series;
            ALTER TABLE series_v23 RENAME TO series;
            CREATE INDEX series_quantity ON series(quantity);
            """)
    }

    /// `v25-chunk-refs-in-code`
    static func v25ChunkRefsInCode(_ db: Database) throws {
        // Timestamp block references are kept by `ChunkRows`: statements without triggers need
        // no statement journal (see there).
        try db.execute(sql: "DROP TRIGGER chunk_takes_ts; DROP TRIGGER chunk_releases_ts")
    }

    /// `v29-ts-block-refs-by-index`
    static func v29TsBlockRefsByIndex(_ db: Database) throws {
        // The chunks that share a timestamp block are found by `chunk_ts`: the count kept beside
        // them cost an UPDATE per chunk that took or left a block (see `ChunkRows`).
        try db.execute(sql: "ALTER TABLE ts_block DROP COLUMN refs")
    }

    /// `v30-chunk-ts-deferred`
    static func v30ChunkTsDeferred(_ db: Database) throws {
        // The chunk → timestamp block key is checked at commit instead of per statement. A
        // statement that changes such a key (a backfill rewriting a chunk in place with a new
        // block, deleting a block that no chunk uses any more) could otherwise fail halfway,
        // so SQLite kept a statement journal for it: a copy of every page it changed, written
        // to a temporary file. The key is as strict as before: a commit that breaks it fails.
        try db.execute(sql: """
            CREATE TABLE chunk_v30 (
                id INTEGER PRIMARY KEY,
                series_id INTEGER NOT NULL REFERENCES series(id),
                window_start INTEGER NOT NULL,
                min_ts INTEGER NOT NULL,
                max_ts INTEGER NOT NULL,
                count INTEGER NOT NULL,
                min_value REAL NOT NULL,
                max_value REAL NOT NULL,
                sum REAL NOT NULL,
                ts_id INTEGER NOT NULL REFERENCES ts_block(id) DEFERRABLE INITIALLY DEFERRED,
                value BLOB NOT NULL,
                flags BLOB NOT NULL
            );
            INSERT INTO chunk_v30 SELECT id, series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum,
                ts_id, value, flags FROM chunk ORDER BY id;
            DROP TABLE chunk;
            ALTER TABLE chunk_v30 RENAME TO chunk;
            CREATE INDEX chunk_window ON chunk(window_start, series_id);
            CREATE INDEX chunk_series ON chunk(series_id, window_start);
            CREATE INDEX chunk_ts ON chunk(ts_id);
            """)
    }

    /// `v31-chunk-summary`
    static func v31ChunkSummary(_ db: Database) throws {
        // Statistics per hour of each chunk (`SubWindowSummary`), so hourly and daily aggregates
        // need not decode values. Chunks written before have none (NULL) and are decoded as before.
        try db.execute(sql: "ALTER TABLE chunk ADD COLUMN summary BLOB")
    }

    /// `v32-open-runs`
    static func v32OpenRuns(_ db: Database) throws {
        // The open buffer's packed runs (`SQLiteOpenBuffer`): one row per series and ingest batch
        // instead of one per reading. `open_reading` stays for single readings (see there).
        try db.execute(sql: """
            CREATE TABLE open_run (
                id INTEGER PRIMARY KEY,
                series_id INTEGER NOT NULL REFERENCES series(id),
                ts_min INTEGER NOT NULL,
                ts_max INTEGER NOT NULL,
                n INTEGER NOT NULL,
                readings BLOB NOT NULL
            );
            CREATE INDEX open_run_series_ts ON open_run(series_id, ts_max);
            """)
    }
}
