/// Meldingen openbare ruimte, their status history and files, and the alerts on them.
enum PGMeldingenSchema {
    static let v5Meldingen = [
        """
        CREATE TABLE melding (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source text NOT NULL,
            source_id text NOT NULL,
            category text NOT NULL,
            bor_meld bigint,
            hoofdcategorie text,
            created_at bigint NOT NULL,
            closed_at bigint,
            is_open boolean NOT NULL,
            lat double precision,
            lon double precision,
            gemeente text,
            wijk text,
            buurt text,
            channel text,
            scrubbed_text text,
            updated_at bigint NOT NULL,
            UNIQUE (source, source_id)
        )
        """,
        "CREATE INDEX melding_created ON melding (created_at)",
        """
        CREATE TABLE melding_status (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            melding_id bigint NOT NULL REFERENCES melding (id) ON DELETE CASCADE,
            at bigint NOT NULL,
            state text NOT NULL,
            closes boolean NOT NULL,
            UNIQUE (melding_id, at, state)
        )
        """,
        """
        CREATE TABLE melding_file (
            sha256 text PRIMARY KEY,
            name text NOT NULL,
            format text NOT NULL,
            meldingen bigint NOT NULL,
            report text NOT NULL,
            completed_at bigint NOT NULL
        )
        """,
        """
        CREATE TABLE melding_alert (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            week_start bigint NOT NULL,
            wijk text NOT NULL,
            kind text NOT NULL,
            categories text NOT NULL,
            observed bigint NOT NULL,
            expected double precision NOT NULL,
            tail double precision NOT NULL,
            created_at bigint NOT NULL,
            acknowledged_at bigint,
            acknowledged_by text,
            note text,
            UNIQUE (week_start, wijk, kind, categories)
        )
        """,
    ]
}
