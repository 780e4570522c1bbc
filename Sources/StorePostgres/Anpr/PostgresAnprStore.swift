import LantaarnModel
import PostgresNIO
import Store

/// Pseudonymised ANPR sightings in PostgreSQL.
public final class PostgresAnprStore: Sendable {
    let database: PGDatabase

    init(_ database: PGDatabase) { self.database = database }
}

extension PostgresAnprStore: AnprStore {
    public func appendSightings(_ sightings: [AnprSighting]) throws -> Int {
        try database.transaction { session in
            try session.insert(into: "anpr_sighting", columns: ["ts", "camera", "pseudonym", "next_pseudonym"], sightings) { s, b in
                b.append(s.timestamp)
                b.append(s.camera)
                b.append(s.pseudonym)
                b.append(s.nextPseudonym)
            }
            return sightings.count
        }
    }

    public func sightings(in window: TimeWindow) throws -> [AnprSighting] {
        try database.withSession { session in
            try session.query("""
                SELECT ts, camera, pseudonym, next_pseudonym FROM anpr_sighting WHERE ts >= \(window.start) AND ts < \(window.end) ORDER BY ts, id
                """).map { row in
                let (ts, camera, pseudonym, next) = try row.decode((Int64, String, String, String?).self)
                return AnprSighting(camera: camera, timestamp: ts, pseudonym: pseudonym, nextPseudonym: next)
            }
        }
    }

    /// Deletes sightings before `timestamp` outside every hold on their camera, with the
    /// destruction record and the watermark in the same transaction. PostgreSQL leaves deleted
    /// tuples until VACUUM reclaims them; the table is vacuumed right after.
    public func dropSightings(before timestamp: Int64, log: ((Int) -> DestructionRecord?)?) throws -> Int {
        let dropped = try database.transaction { session -> Int in
            let held = LegalHold.sqlCovered([(.sensor, "x.camera")], time: "x.ts")
            let gone = try session.query(PostgresQuery(unsafeSQL: "DELETE FROM anpr_sighting x WHERE x.ts < $1 AND NOT \(held) RETURNING 1",
                                                       binds: { var b = PostgresBindings(); b.append(timestamp); return b }())).count
            if let record = log?(gone) { try PostgresRetentionStore.insert(session, [record]) }
            try session.query("""
                INSERT INTO anpr_watermark (id, dropped_before) VALUES (1, \(timestamp))
                ON CONFLICT (id) DO UPDATE SET dropped_before = greatest(anpr_watermark.dropped_before, excluded.dropped_before)
                """)
            return gone
        }
        try database.withSession { try $0.execute("VACUUM anpr_sighting") }
        return dropped
    }

    public func sightingsDroppedBefore() throws -> Int64? {
        try database.withSession { session in
            try session.query("SELECT dropped_before FROM anpr_watermark WHERE id = 1").first?.decode(Int64.self)
        }
    }
}
