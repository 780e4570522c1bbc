import GRDB

/// Migrations of datasets, releases, pipeline runs and versions, disclosure reports and data
/// changes.
/// Each is append-only (a released migration is never edited); `Schema` registers them all in
/// their one global order.
enum ReleasesSchema {
    /// `v10-release-hash`
    static func v10ReleaseHash(_ db: Database) throws {
        // Each release: its version within its window and the SHA-256 of its rows and lineage.
        try db.execute(sql: """
            ALTER TABLE release ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE release ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
            """)
    }

    /// `v11-pipeline-runs`
    static func v11PipelineRuns(_ db: Database) throws {
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

    /// `v12-pipeline-versions`
    static func v12PipelineVersions(_ db: Database) throws {
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

    /// `v14-release-rows`
    static func v14ReleaseRows(_ db: Database) throws {
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

    /// `v15-dataset-row-count`
    static func v15DatasetRowCount(_ db: Database) throws {
        // Every catalogue answer and download names a dataset's row count; counting
        // millions of rows per request is too slow, so publish and purge keep it here.
        try db.execute(sql: """
            ALTER TABLE dataset ADD COLUMN row_count INTEGER NOT NULL DEFAULT 0;
            UPDATE dataset SET row_count = (SELECT count(*) FROM dataset_row WHERE dataset_row.dataset = dataset.name);
            """)
    }

    /// `v17-disclosure-report`
    static func v17DisclosureReport(_ db: Database) throws {
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

    /// `v21-data-changes`
    static func v21DataChanges(_ db: Database) throws {
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

    /// `v24-release-window-start`
    static func v24ReleaseWindowStart(_ db: Database) throws {
        // The purge drops data changes no current release predates: it looks releases up by
        // window start across datasets.
        try db.execute(sql: "CREATE INDEX release_window_start ON release(window_start)")
    }
}

