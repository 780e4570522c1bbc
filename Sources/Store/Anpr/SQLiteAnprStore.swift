import GRDB
import LantaarnModel

/// Pseudonymised ANPR sightings in SQLite.
public final class SQLiteAnprStore: SQLiteDomainStore {
    let database: StoreDatabase

    init(_ database: StoreDatabase) { self.database = database }
}

extension SQLiteAnprStore: AnprStore {
    public func appendSightings(_ sightings: [AnprSighting]) throws -> Int {
        try pool.write { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO anpr_sighting (ts, camera, pseudonym, next_pseudonym) VALUES (?, ?, ?, ?)")
            for s in sightings { try insert.execute(arguments: [s.timestamp, s.camera, s.pseudonym, s.nextPseudonym]) }
            return sightings.count
        }
    }

    public func sightings(in window: TimeWindow) throws -> [AnprSighting] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT ts, camera, pseudonym, next_pseudonym FROM anpr_sighting WHERE ts >= ? AND ts < ? ORDER BY ts, rowid",
                             arguments: [window.start, window.end]).map { row in
                AnprSighting(camera: row[1], timestamp: row[0], pseudonym: row[2], nextPseudonym: row[3])
            }
        }
    }

    public func dropSightings(before timestamp: Int64, log: ((Int) -> DestructionRecord?)?) throws -> Int {
        try pool.barrierWriteWithoutTransaction { db in
            // Every connection deletes with secure_delete on (StoreDatabase.init); the checkpoint
            // below empties the WAL, so deleted rows linger in neither.
            var dropped = 0
            try db.inTransaction {
                let held = LegalHold.sqlCovered([(.sensor, "x.camera")], time: "x.ts")
                try db.execute(sql: "DELETE FROM anpr_sighting WHERE rowid IN (SELECT x.rowid FROM anpr_sighting x WHERE x.ts < ? AND NOT \(held))",
                               arguments: [timestamp])
                dropped = db.changesCount
                if let record = log?(dropped) { try SQLiteRetentionStore.insert(db, [record]) }
                try db.execute(sql: """
                    INSERT INTO anpr_watermark (id, dropped_before) VALUES (1, ?)
                    ON CONFLICT(id) DO UPDATE SET dropped_before = max(dropped_before, excluded.dropped_before)
                    """, arguments: [timestamp])
                return .commit
            }
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return dropped
        }
    }

    public func sightingsDroppedBefore() throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT dropped_before FROM anpr_watermark WHERE id = 1") }
    }
}
