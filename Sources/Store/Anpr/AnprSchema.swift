import GRDB

/// Migrations of pseudonymised ANPR sightings.
/// Each is append-only (a released migration is never edited); `Schema` registers them all in
/// their one global order.
enum AnprSchema {
    /// `v13-anpr`
    static func v13Anpr(_ db: Database) throws {
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

    /// `v18-anpr-next-pseudonym`
    static func v18AnprNextPseudonym(_ db: Database) throws {
        // A sighting just before Monday 00:00 also carries its pseudonym under next week's
        // key, so trips across the key change match (issue 27).
        try db.execute(sql: "ALTER TABLE anpr_sighting ADD COLUMN next_pseudonym TEXT")
    }
}
