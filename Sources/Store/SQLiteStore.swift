import Foundation
import GRDB
import LantaarnModel

/// The SQLite-backed store: one database file in WAL mode inside the data directory.
///
/// Several processes may open the same file (a running `serve` and a
/// `pipeline run`): WAL lets readers proceed during writes, and writers wait
/// for each other up to ``busyTimeout``.
public final class SQLiteStore: Sendable {
    /// The GRDB pool; readers run concurrently, writes are serialised.
    let pool: DatabasePool
    /// Path of the database file.
    public let path: String
    /// How long a writer waits for another process's write lock.
    public static let busyTimeout: TimeInterval = 30

    /// Opens (creating if needed) `lantaarn.sqlite` in `dataDirectory` and migrates it.
    public init(dataDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        path = (dataDirectory as NSString).appendingPathComponent("lantaarn.sqlite")
        var config = Configuration()
        config.busyMode = .timeout(Self.busyTimeout)
        config.label = "lantaarn"
        config.prepareDatabase { db in
            // NORMAL is durable against process crashes in WAL mode; the ingest log
            // covers the power-loss window because it is only trimmed after commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Schema.migrator().migrate(pool)
        } catch {
            throw StoreError("cannot open the database at \(path): \(error). Check that the data directory is writable and not used by an incompatible Lantaarn version.")
        }
    }

    /// Runs `PRAGMA integrity_check` and returns its findings (`["ok"]` when clean).
    public func integrityCheck() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}

extension SQLiteStore: ReadingStore {
    public func append(_ batch: IngestBatch) throws {
        try pool.write { db in
            if !batch.readings.isEmpty {
                let insert = try db.cachedStatement(sql: "INSERT INTO reading (sensor_id, quantity, ts, value, wijk) VALUES (?, ?, ?, ?, ?)")
                for r in batch.readings {
                    try insert.execute(arguments: [r.series.sensorID, r.series.quantity, r.timestamp, r.value, r.wijk?.rawValue])
                }
            }
            if !batch.quarantined.isEmpty {
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO quarantine (received_at, source, origin, sensor_id, reason, payload)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for q in batch.quarantined {
                    try insert.execute(arguments: [q.receivedAt, q.source, q.origin, q.sensorID, q.reason, Data(q.payload)])
                }
            }
            try db.execute(sql: """
                INSERT INTO ingest_offset (source, log_offset) VALUES (?, ?)
                ON CONFLICT(source) DO UPDATE SET log_offset = excluded.log_offset
                """, arguments: [batch.source, batch.offset])
        }
    }

    public func committedOffset(source: String) throws -> Int64 {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT log_offset FROM ingest_offset WHERE source = ?", arguments: [source]) ?? 0
        }
    }

    public func scan(quantities: Set<String>, window: TimeWindow, _ visit: (Reading) throws -> Void) throws {
        guard !quantities.isEmpty else { return }
        let placeholders = Array(repeating: "?", count: quantities.count).joined(separator: ",")
        var arguments: [any DatabaseValueConvertible] = quantities.sorted()
        arguments.append(window.start)
        arguments.append(window.end)
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT sensor_id, quantity, ts, value, wijk FROM reading
                WHERE quantity IN (\(placeholders)) AND ts >= ? AND ts < ?
                ORDER BY ts, id
                """, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                let wijk: String? = row[4]
                try visit(Reading(series: SeriesKey(sensorID: row[0], quantity: row[1]),
                                  timestamp: row[2], value: row[3], wijk: wijk.flatMap(WijkCode.init)))
            }
        }
    }

    public func readingCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reading") ?? 0 }
    }

    public func quarantine(limit: Int) throws -> [QuarantineEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT received_at, source, origin, sensor_id, reason, payload FROM quarantine
                ORDER BY id DESC LIMIT ?
                """, arguments: [limit]).map { row in
                let payload: Data = row[5]
                return QuarantineEntry(receivedAt: row[0], source: row[1], origin: row[2], sensorID: row[3],
                                       reason: row[4], payload: [UInt8](payload))
            }
        }
    }
}
