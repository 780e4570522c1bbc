import GRDB
import LantaarnModel

/// An ANPR sighting after pseudonymisation: camera, time and the pseudonym of the plate.
public struct AnprSighting: Sendable, Hashable {
    public var camera: String
    public var timestamp: Int64
    /// Hex HMAC of the plate under the key of its week.
    public var pseudonym: String
    /// For a sighting shortly before Monday 00:00 (within the longest trip), the HMAC under
    /// next week's key too, so a trip that crosses the key change still matches; dropped with
    /// the sighting.
    public var nextPseudonym: String?

    public init(camera: String, timestamp: Int64, pseudonym: String, nextPseudonym: String? = nil) {
        self.camera = camera
        self.timestamp = timestamp
        self.pseudonym = pseudonym
        self.nextPseudonym = nextPseudonym
    }
}

/// Pseudonymised ANPR sightings, held only until a travel-time run has matched them.
public protocol AnprStore: Sendable {
    /// Adds sightings (already pseudonymised); returns how many were new.
    func appendSightings(_ sightings: [AnprSighting]) throws -> Int
    /// Sightings in `window`, oldest first.
    func sightings(in window: TimeWindow) throws -> [AnprSighting]
    /// Deletes every sighting before `timestamp` that no legal hold on its camera covers,
    /// overwriting the freed pages and emptying the write-ahead log, so no pseudonym stays on
    /// disk; returns how many went. With `log`, the destruction record it makes of that number
    /// is written in the same transaction.
    func dropSightings(before timestamp: Int64, log: ((Int) -> DestructionRecord?)?) throws -> Int
    /// Sightings before this time have been dropped (`nil`: none yet).
    func sightingsDroppedBefore() throws -> Int64?
}

extension AnprStore {
    /// Drops sightings before `timestamp` without a destruction record of its own.
    public func dropSightings(before timestamp: Int64) throws -> Int { try dropSightings(before: timestamp, log: nil) }
}

extension SQLiteStore: AnprStore {
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
            // Every connection deletes with secure_delete on (SQLiteStore.init); the checkpoint
            // below empties the WAL, so deleted rows linger in neither.
            var dropped = 0
            try db.inTransaction {
                let held = LegalHold.sqlCovered([(.sensor, "x.camera")], time: "x.ts")
                try db.execute(sql: "DELETE FROM anpr_sighting WHERE rowid IN (SELECT x.rowid FROM anpr_sighting x WHERE x.ts < ? AND NOT \(held))",
                               arguments: [timestamp])
                dropped = db.changesCount
                if let record = log?(dropped) { try Self.insert(db, [record]) }
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
