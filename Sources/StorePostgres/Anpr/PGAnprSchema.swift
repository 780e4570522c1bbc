/// Pseudonymised ANPR sightings, kept only until travel times are computed.
enum PGAnprSchema {
    static let v6Anpr = [
        """
        CREATE TABLE anpr_sighting (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            ts bigint NOT NULL,
            camera text NOT NULL,
            pseudonym text NOT NULL,
            next_pseudonym text
        )
        """,
        "CREATE INDEX anpr_sighting_ts ON anpr_sighting (ts)",
        "CREATE TABLE anpr_watermark (id integer PRIMARY KEY CHECK (id = 1), dropped_before bigint NOT NULL)",
    ]
}
