/// Readings on PostgreSQL: the same chunk codecs as SQLite, as bytea columns, with summary
/// columns so aggregates can skip decoding.
///
/// Citus-ready: `series_id` is the distribution column of `chunk` and `open_reading` (co-located),
/// `series` is a reference table. So a chunk carries its own timestamp column: SQLite shares one
/// between the quantities of a sensor (`ts_block`), which would join across shards here.
/// `chunk` is partitioned by month of `window_start` (milliseconds); `PGChunkPartitions` creates a
/// month's partition before its first chunk.
enum PGReadingsSchema {
    static let v3Readings = [
        """
        CREATE TABLE series (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            sensor_id text NOT NULL,
            quantity text NOT NULL,
            wijk text NOT NULL DEFAULT '',
            buurt text NOT NULL DEFAULT '',
            sealed_until bigint NOT NULL,
            watermark bigint NOT NULL,
            UNIQUE (sensor_id, quantity, wijk, buurt)
        )
        """,
        "CREATE INDEX series_quantity ON series (quantity)",
        """
        CREATE TABLE chunk (
            series_id bigint NOT NULL REFERENCES series (id),
            window_start bigint NOT NULL,
            min_ts bigint NOT NULL,
            max_ts bigint NOT NULL,
            count integer NOT NULL,
            min_value double precision NOT NULL,
            max_value double precision NOT NULL,
            sum double precision NOT NULL,
            ts bytea NOT NULL,
            value bytea NOT NULL,
            flags bytea NOT NULL,
            PRIMARY KEY (series_id, window_start)
        ) PARTITION BY RANGE (window_start)
        """,
        "CREATE INDEX chunk_window ON chunk (window_start, series_id)",
        """
        CREATE TABLE open_reading (
            series_id bigint NOT NULL REFERENCES series (id),
            id bigint GENERATED ALWAYS AS IDENTITY,
            ts bigint NOT NULL,
            value double precision NOT NULL,
            flags smallint NOT NULL DEFAULT 0,
            PRIMARY KEY (series_id, id)
        )
        """,
        "CREATE INDEX open_reading_series_ts ON open_reading (series_id, ts)",
        "CREATE TABLE ingest_offset (source text PRIMARY KEY, log_offset bigint NOT NULL)",
        """
        CREATE TABLE quarantine (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            received_at bigint NOT NULL,
            source text NOT NULL,
            origin text NOT NULL,
            sensor_id text,
            reason text NOT NULL,
            payload bytea NOT NULL,
            field text,
            field_ts bigint
        )
        """,
        """
        CREATE TABLE ingested_file (
            sha256 text PRIMARY KEY,
            name text NOT NULL,
            bytes bigint NOT NULL,
            rows bigint NOT NULL,
            readings bigint NOT NULL,
            quarantined bigint NOT NULL,
            completed_at bigint NOT NULL
        )
        """,
        """
        CREATE TABLE data_change (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            quantity text NOT NULL,
            bucket bigint NOT NULL,
            kind text NOT NULL CHECK (kind IN ('arrived', 'corrected', 'moved')),
            count bigint NOT NULL,
            at bigint NOT NULL
        )
        """,
        "CREATE INDEX data_change_quantity ON data_change (quantity, bucket)",
        """
        CREATE TABLE reading_correction (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            corrected_at bigint NOT NULL,
            sensor_id text NOT NULL,
            quantity text NOT NULL,
            ts bigint NOT NULL,
            old_value double precision NOT NULL,
            new_value double precision NOT NULL,
            note text NOT NULL
        )
        """,
        """
        CREATE TABLE wijk_reassignment (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            reassigned_at bigint NOT NULL,
            vintage integer NOT NULL,
            sensor_id text NOT NULL,
            window_start bigint NOT NULL,
            window_end bigint NOT NULL,
            to_wijk text NOT NULL,
            readings bigint NOT NULL
        )
        """,
    ]

    /// One index on the open buffer instead of two: every buffered reading was written to the
    /// primary key (series, id) and to (series, ts), and the buffer takes every live reading. The
    /// key (series, ts, id) serves both the time-range reads and the (time, arrival) order, and
    /// keeps `series_id` first for Citus. (`make bench-cluster`: the server spent most of an
    /// append in index inserts.)
    static let v8OpenReadingKey = [
        "ALTER TABLE open_reading DROP CONSTRAINT open_reading_pkey",
        "ALTER TABLE open_reading ADD PRIMARY KEY (series_id, ts, id)",
        "DROP INDEX open_reading_series_ts",
    ]

    /// Statistics per hour of each chunk (`SubWindowSummary`): hourly and daily aggregates need
    /// not decode values. Chunks written before have none and are decoded as before.
    static let v12ChunkSummary = ["ALTER TABLE chunk ADD COLUMN summary bytea"]
}
