import GRDB

/// Migrations of the imported boundary sets.
/// Each is append-only (a released migration is never edited); `Schema` registers them all in
/// their one global order.
enum BoundariesSchema {
    /// `v7-boundaries`
    static func v7Boundaries(_ db: Database) throws {
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
}
