/// Tables of imported boundary sets. Reference tables under Citus (every node holds them).
enum PGBoundariesSchema {
    static let v2Boundaries = [
        """
        CREATE TABLE boundary_set (
            level text NOT NULL,
            vintage integer NOT NULL,
            source text NOT NULL,
            sha256 text NOT NULL,
            imported_at bigint NOT NULL,
            report text NOT NULL,
            PRIMARY KEY (level, vintage)
        )
        """,
        """
        CREATE TABLE boundary_area (
            level text NOT NULL,
            vintage integer NOT NULL,
            code text NOT NULL,
            name text NOT NULL,
            geometry bytea NOT NULL,
            PRIMARY KEY (level, vintage, code),
            FOREIGN KEY (level, vintage) REFERENCES boundary_set (level, vintage) ON DELETE CASCADE
        )
        """,
    ]
}
