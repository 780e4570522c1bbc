/// Datasets, releases and their rows, pipeline runs and versions. `dataset` is a reference table
/// under Citus; releases and rows stay on the coordinator (they are small next to readings).
enum PGReleasesSchema {
    static let v4Releases = [
        """
        CREATE TABLE dataset (
            name text PRIMARY KEY,
            metadata text NOT NULL,
            updated_at bigint NOT NULL,
            row_count bigint NOT NULL DEFAULT 0
        )
        """,
        """
        CREATE TABLE release (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            dataset text NOT NULL REFERENCES dataset (name),
            window_start bigint NOT NULL,
            window_end bigint NOT NULL,
            created_at bigint NOT NULL,
            rows_in bigint NOT NULL,
            rows_out bigint NOT NULL,
            lineage text NOT NULL,
            version integer NOT NULL DEFAULT 1,
            sha256 text NOT NULL DEFAULT '',
            changes_through bigint NOT NULL DEFAULT 0
        )
        """,
        "CREATE INDEX release_dataset_window ON release (dataset, window_start)",
        "CREATE INDEX release_window_start ON release (window_start)",
        "CREATE INDEX release_window_end ON release (window_end)",
        """
        CREATE TABLE dataset_row (
            dataset text NOT NULL,
            window_start bigint NOT NULL,
            seq integer NOT NULL,
            release_id bigint NOT NULL REFERENCES release (id),
            cells text NOT NULL,
            PRIMARY KEY (dataset, window_start, seq)
        )
        """,
        """
        CREATE TABLE release_row (
            release_id bigint NOT NULL,
            seq integer NOT NULL,
            cells text NOT NULL,
            PRIMARY KEY (release_id, seq)
        )
        """,
        """
        CREATE TABLE pipeline_run (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            pipeline text NOT NULL,
            version_sha256 text NOT NULL,
            started_at bigint NOT NULL,
            ended_at bigint NOT NULL,
            window_start bigint NOT NULL,
            window_end bigint NOT NULL,
            windows integer NOT NULL,
            rows_in bigint NOT NULL,
            rows_out bigint NOT NULL,
            outcome text NOT NULL,
            error text
        )
        """,
        "CREATE INDEX pipeline_run_pipeline ON pipeline_run (pipeline, id)",
        """
        CREATE TABLE pipeline_version (
            pipeline text NOT NULL,
            sha256 text NOT NULL,
            version text NOT NULL,
            definition text NOT NULL,
            first_seen bigint NOT NULL,
            PRIMARY KEY (pipeline, sha256)
        )
        """,
        "CREATE TABLE disclosure_report (dataset text PRIMARY KEY, audited_at bigint NOT NULL, report text NOT NULL)",
    ]
}
