import GRDB

/// Database migrations. Each is append-only: a released migration is never edited.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-walking-skeleton") { db in
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
        m.registerMigration("v2-chunked-columns") { db in
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
        m.registerMigration("v3-retention") { db in
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
        m.registerMigration("v4-shared-timestamps") { db in
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
        m.registerMigration("v5-quarantine-value") { db in
            // Which value of a partly stored message was rejected, so a replay stores only that one.
            try db.execute(sql: """
                ALTER TABLE quarantine ADD COLUMN field TEXT;
                ALTER TABLE quarantine ADD COLUMN field_ts INTEGER;
                """)
        }
        m.registerMigration("v6-ingested-files") { db in
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
        m.registerMigration("v7-boundaries") { db in
            // Imported CBS boundary sets, one per level and vintage (an archival record of
            // what each reading was assigned with), and every reassignment of stored readings.
            try db.execute(sql: """
                CREATE TABLE boundary_set (
                    level TEXT NOT NULL,
                    vintage INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    imported_at INTEGER NOT NULL,
                    report TEXT NOT NULL,
                    PRIMARY KEY (level, vintage)
                ) WITHOUT ROWID;
                CREATE TABLE boundary_area (
                    level TEXT NOT NULL,
                    vintage INTEGER NOT NULL,
                    code TEXT NOT NULL,
                    name TEXT NOT NULL,
                    geometry BLOB NOT NULL,
                    PRIMARY KEY (level, vintage, code),
                    FOREIGN KEY (level, vintage) REFERENCES boundary_set(level, vintage) ON DELETE CASCADE
                ) WITHOUT ROWID;
                CREATE TABLE wijk_reassignment (
                    id INTEGER PRIMARY KEY,
                    reassigned_at INTEGER NOT NULL,
                    vintage INTEGER NOT NULL,
                    sensor_id TEXT NOT NULL,
                    window_start INTEGER NOT NULL,
                    window_end INTEGER NOT NULL,
                    to_wijk TEXT NOT NULL,
                    readings INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v8-meldingen") { db in
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
        m.registerMigration("v9-melding-alerts") { db in
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
        m.registerMigration("v10-release-hash") { db in
            // Each release: its version within its window and the SHA-256 of its rows and lineage.
            try db.execute(sql: """
                ALTER TABLE release ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE release ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
                """)
        }
        m.registerMigration("v11-pipeline-runs") { db in
            // Every pipeline run, scheduled or by hand: when, which windows, what came in and
            // out, and how it ended (the error when it failed).
            try db.execute(sql: """
                CREATE TABLE pipeline_run (
                    id INTEGER PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    version_sha256 TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER NOT NULL,
                    window_start INTEGER NOT NULL,
                    window_end INTEGER NOT NULL,
                    windows INTEGER NOT NULL,
                    rows_in INTEGER NOT NULL,
                    rows_out INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    error TEXT
                );
                CREATE INDEX pipeline_run_pipeline ON pipeline_run(pipeline, id);
                """)
        }
        m.registerMigration("v12-pipeline-versions") { db in
            // Every version of every pipeline definition, as an archival record: the exact text
            // that produced releases (identified by the SHA-256 the lineage names).
            try db.execute(sql: """
                CREATE TABLE pipeline_version (
                    pipeline TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    version TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    first_seen INTEGER NOT NULL,
                    PRIMARY KEY (pipeline, sha256)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v13-anpr") { db in
            // ANPR sightings, pseudonymised before they get here (no plate is ever stored),
            // kept only until a travel-time run has matched them; and how far that has gone.
            try db.execute(sql: """
                CREATE TABLE anpr_sighting (
                    ts INTEGER NOT NULL,
                    camera TEXT NOT NULL,
                    pseudonym TEXT NOT NULL
                );
                CREATE INDEX anpr_sighting_ts ON anpr_sighting(ts);
                CREATE TABLE anpr_watermark (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    dropped_before INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v14-release-rows") { db in
            // Releases are immutable: when a re-run replaces a window, the rows of the release it
            // supersedes move here, so every release can still be downloaded and its SHA-256 checked.
            try db.execute(sql: """
                CREATE TABLE release_row (
                    release_id INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    cells TEXT NOT NULL,
                    PRIMARY KEY (release_id, seq)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v15-dataset-row-count") { db in
            // Every catalogue answer and download names a dataset's row count; counting
            // millions of rows per request is too slow, so publish and purge keep it here.
            try db.execute(sql: """
                ALTER TABLE dataset ADD COLUMN row_count INTEGER NOT NULL DEFAULT 0;
                UPDATE dataset SET row_count = (SELECT count(*) FROM dataset_row WHERE dataset_row.dataset = dataset.name);
                """)
        }
        m.registerMigration("v16-chunk-series") { db in
            // A series' chunks without scanning every chunk: its time span (SensorThings asks
            // for it on every Datastream), the purge's check for emptied series, reassignment.
            try db.execute(sql: "CREATE INDEX chunk_series ON chunk(series_id, window_start)")
        }
        m.registerMigration("v17-disclosure-report") { db in
            // The last disclosure audit of each dataset (`lantaarn datasets audit`), shown on its
            // public page: cells, held back, smallest interval an attacker gets.
            try db.execute(sql: """
                CREATE TABLE disclosure_report (
                    dataset TEXT PRIMARY KEY,
                    audited_at INTEGER NOT NULL,
                    report TEXT NOT NULL
                );
                """)
        }
        m.registerMigration("v18-anpr-next-pseudonym") { db in
            // A sighting just before Monday 00:00 also carries its pseudonym under next week's
            // key, so trips across the key change match (issue 27).
            try db.execute(sql: "ALTER TABLE anpr_sighting ADD COLUMN next_pseudonym TEXT")
        }
        m.registerMigration("v19-hold-kinds") { db in
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
        m.registerMigration("v20-chunk-ts-index") { db in
            // Deleting a timestamp block checks that no chunk still points at it (the foreign
            // key): without this index that is a scan of every chunk, per block. Backfill deletes
            // a block for every window it rewrites (issue 28), the purge one per day it destroys.
            try db.execute(sql: "CREATE INDEX chunk_ts ON chunk(ts_id)")
        }
        m.registerMigration("v21-data-changes") { db in
            // Stored readings that changed under published windows (issue 28): readings that
            // arrived for a time already published, corrections, wijk reassignments. Counted per
            // quantity and 15 minutes; a release records the last change its run had seen, so a
            // window whose release saw fewer changes than the store holds is stale.
            try db.execute(sql: """
                CREATE TABLE data_change (
                    id INTEGER PRIMARY KEY,
                    quantity TEXT NOT NULL,
                    bucket INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('arrived', 'corrected', 'moved')),
                    count INTEGER NOT NULL,
                    at INTEGER NOT NULL
                );
                CREATE INDEX data_change_quantity ON data_change(quantity, bucket);
                ALTER TABLE release ADD COLUMN changes_through INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX release_window_end ON release(window_end);
                """)
        }
        m.registerMigration("v22-reading-corrections") { db in
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
        m.registerMigration("v23-series-buurt") { db in
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
        return m
    }
}
