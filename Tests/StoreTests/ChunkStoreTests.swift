import Foundation
import GRDB
import LantaarnModel
@testable import Store
import Testing

struct ChunkStoreTests {
    static let hour = TimeBucket.hour
    static let base = ISO8601.parse("2026-11-20T00:00:00Z")!

    func reading(_ ts: Int64, _ v: Double, sensor: String = "s", wijk: String? = "WK039201") -> Reading {
        Reading(series: SeriesKey(sensorID: sensor, quantity: "pm25"), timestamp: ts, value: v, wijk: wijk.flatMap(WijkCode.init))
    }

    func all(_ store: SQLiteStore) throws -> [Reading] {
        var out: [Reading] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { out.append($0) }
        return out
    }

    func counts(_ store: SQLiteStore) throws -> (chunks: Int, open: Int) {
        try store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk")!, try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM open_reading) + (SELECT coalesce(sum(n), 0) FROM open_run)")!)
        }
    }

    @Test func closedWindowsAreSealedIntoChunksAndLateReadingsMergedIntoThem() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("chunks"), policy: ChunkPolicy(span: Self.hour, lateness: 10 * 60_000))
        // Three hours at one reading a minute, arriving in shuffled order within each hour.
        var readings: [Reading] = []
        for h in 0..<3 {
            var hour: [Reading] = []
            for m in 0..<60 {
                let ts = Self.base + Int64(h) * Self.hour + Int64(m) * 60_000
                hour.append(reading(ts, Double(h * 100 + m) / 10))
            }
            readings += hour.shuffled()
        }
        let result = try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        #expect(result == AppendResult(stored: 180))
        // Watermark 02:59; lateness 10 min: windows ending by 02:49 are sealed, i.e. hours 0 and 1.
        #expect(try counts(store) == (2, 60))
        let scanned = try all(store)
        #expect(scanned.map(\.timestamp) == readings.map(\.timestamp).sorted())
        #expect(scanned.map(\.value) == readings.sorted { $0.timestamp < $1.timestamp }.map(\.value))
        #expect(try store.readings.readingCount() == 180)

        // A reading for sealed hour 1 is merged into its chunk (still one chunk for the hour); one
        // for the open hour is buffered.
        let late = try store.readings.append(IngestBatch(readings: [reading(Self.base + Self.hour + 5, 1), reading(Self.base + 2 * Self.hour + 5, 2)],
                                                quarantined: [], source: "t", offset: 2))
        #expect(late == AppendResult(stored: 2, backfilled: 1))
        #expect(try counts(store) == (2, 61))
        #expect(try all(store).filter { $0.timestamp == Self.base + Self.hour + 5 }.map(\.value) == [1])
        #expect(try store.readings.quarantine(limit: 1).isEmpty)
        // The same again: duplicates, not stored twice; another value at a stored time: a conflict,
        // quarantined with both values, the stored one stays.
        let again = try store.readings.append(IngestBatch(readings: [reading(Self.base + Self.hour + 5, 1), reading(Self.base + 2 * Self.hour + 5, 2),
                                                            reading(Self.base + 30 * 60_000, 99)], quarantined: [], source: "t", offset: 3))
        #expect(again == AppendResult(duplicates: 2, conflicts: 1, conflictsBySensor: ["s": 1]))
        let conflict = try #require(try store.readings.quarantine(limit: 1).first)
        #expect(conflict.reason.contains("is stored as 3; this reading says 99") && conflict.origin == "store", "\(conflict.reason)")
        #expect(try all(store).filter { $0.timestamp == Self.base + 30 * 60_000 }.map(\.value) == [3])
        #expect(try store.readings.readingCount() == 182)
        #expect(try store.readings.committedOffset(source: "t") == 3)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test func scanWindowCutsAcrossChunksAndBuffer() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("cut"), policy: ChunkPolicy(span: Self.hour, lateness: 0))
        let readings = (0..<300).map { reading(Self.base + Int64($0) * 60_000, Double($0)) }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        var got: [Int64] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: Self.base + 90 * 60_000, end: Self.base + 250 * 60_000)) {
            got.append($0.timestamp)
        }
        #expect(got == (90..<250).map { Self.base + Int64($0) * 60_000 })
        #expect(try counts(store).chunks == 4)
    }

    @Test func sensorInTwoWijkenIsTwoSeries() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("moved"))
        try store.readings.append(IngestBatch(readings: [reading(Self.base, 1, wijk: "WK039201"), reading(Self.base + 1, 2, wijk: "WK039202"),
                                                reading(Self.base + 2, 3, wijk: nil)], quarantined: [], source: "t", offset: 1))
        #expect(try all(store).map { $0.wijk?.rawValue } == ["WK039201", "WK039202", nil])
    }

    @Test func chunkSpanIsFixedAtCreation() throws {
        let dir = try scratchDirectory("span")
        _ = try SQLiteStore(dataDirectory: dir, policy: ChunkPolicy(span: Self.hour, lateness: 0))
        let reopened = try SQLiteStore(dataDirectory: dir, policy: ChunkPolicy(span: 86_400_000, lateness: 5))
        #expect(reopened.policy == ChunkPolicy(span: Self.hour, lateness: 5))
    }

    @Test func newFilesUseLargePagesAndIncrementalVacuum() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("pages"))
        let (pageSize, autoVacuum) = try store.pool.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size")!, try Int.fetchOne(db, sql: "PRAGMA auto_vacuum")!)
        }
        #expect(pageSize == SQLiteStore.pageSize && autoVacuum == 2)
    }

    /// Rows stored by the first (row-per-reading) schema survive the move to chunks.
    @Test func migratesRowStoreData() throws {
        let dir = try scratchDirectory("migrate")
        let path = dir + "/lantaarn.sqlite"
        let old = try DatabaseQueue(path: path)
        try Schema.migrator().migrate(old, upTo: "v1-walking-skeleton")
        try old.write { db in
            try db.execute(sql: "INSERT INTO reading (sensor_id, quantity, ts, value, wijk) VALUES ('a', 'pm25', 2000, 1.5, 'WK039201'), ('a', 'pm25', 1000, 2.5, 'WK039201'), ('b', 'pm25', 1500, 3, NULL)")
        }
        try old.close()
        let store = try SQLiteStore(dataDirectory: dir)
        let readings = try all(store)
        #expect(readings.map(\.timestamp) == [1000, 1500, 2000])
        #expect(readings.map(\.series.sensorID) == ["a", "b", "a"])
        #expect(readings.map(\.wijk?.rawValue) == ["WK039201", nil, "WK039201"])
        #expect(try store.integrityCheck() == ["ok"])
    }

    /// Quantities that arrive together share one timestamp block; the block goes with its last chunk.
    @Test func quantitiesOfOneSensorShareTimestamps() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("shared-ts"), policy: ChunkPolicy(span: Self.hour, lateness: 0))
        var readings: [Reading] = []
        for m in 0..<120 {
            let ts = Self.base + Int64(m) * 60_000 + Int64(m % 3) * 1000
            for q in ["pm10", "pm25", "temperature"] {
                readings.append(Reading(series: SeriesKey(sensorID: "a", quantity: q), timestamp: ts, value: Double(m) / 10,
                                        wijk: WijkCode("WK039201")))
            }
            // Sensor b's clock differs by a second: no sharing across sensors.
            readings.append(Reading(series: SeriesKey(sensorID: "b", quantity: "pm25"), timestamp: ts + 1000, value: 1, wijk: nil))
        }
        // Sensor a's humidity missed a reading in each hour: its timestamps differ, so it gets its own blocks.
        readings += (0..<120).filter { $0 != 7 && $0 != 67 }.map { m in
            Reading(series: SeriesKey(sensorID: "a", quantity: "humidity"), timestamp: Self.base + Int64(m) * 60_000 + Int64(m % 3) * 1000,
                    value: 50, wijk: WijkCode("WK039201"))
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        try store.readings.sealExpired(now: Self.base + 3 * Self.hour)
        // How many chunks point at each block.
        func uses(_ order: String) throws -> [Int] {
            try store.pool.read { db in
                try Int.fetchAll(db, sql: "SELECT (SELECT count(*) FROM chunk WHERE ts_id = b.id) AS n FROM ts_block b ORDER BY \(order)")
            }
        }
        let blocks = try uses("n")
        // Two windows × (a's three quantities, a's humidity, b).
        #expect(blocks == [1, 1, 1, 1, 3, 3])
        var scanned: [Reading] = []
        try store.readings.scan(quantities: ["pm10", "pm25", "temperature", "humidity"], window: TimeWindow(start: 0, end: Int64.max / 2)) {
            scanned.append($0)
        }
        #expect(scanned.count == readings.count)
        let pm10 = scanned.filter { $0.series.quantity == "pm10" }
        #expect(pm10.map(\.timestamp) == readings.filter { $0.series.quantity == "pm10" }.map(\.timestamp))

        // Deleting chunks releases their block; the last one deletes it.
        func deleteChunks(_ condition: String) throws {
            try store.pool.write { db in
                for id in try Int64.fetchAll(db, sql: "SELECT id FROM chunk WHERE series_id IN (SELECT id FROM series WHERE \(condition))") {
                    try ChunkRows.delete(db, id: id)
                }
            }
        }
        try deleteChunks("sensor_id = 'a' AND quantity IN ('pm10', 'pm25')")
        #expect(try uses("id") == [1, 1, 1, 1, 1, 1])
        try deleteChunks("sensor_id = 'a'")
        #expect(try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ts_block") } == 2)
        #expect(try store.integrityCheck() == ["ok"])
        // Finding a sibling's block starts from the sensor's series, not from every chunk of the window.
        let plan = try store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteReadingLedger.siblingBlocksSQL, arguments: [1, 1, 0, Self.hour * 64]).map { $0["detail"] as String }
        }
        #expect(plan.first?.hasPrefix("SEARCH s USING COVERING INDEX sqlite_autoindex_series_1 (sensor_id=?)") == true, "\(plan)")
        // The windows of one series by its index, not every series' chunks of those windows.
        #expect(plan.contains("SEARCH c USING INDEX chunk_series (series_id=? AND window_start>? AND window_start<?)"), "\(plan)")
    }

    /// Chunks written before timestamps were shared keep their data.
    @Test func migratesChunksToTimestampBlocks() throws {
        let dir = try scratchDirectory("migrate-v4")
        let old = try DatabaseQueue(path: dir + "/lantaarn.sqlite")
        try Schema.migrator().migrate(old, upTo: "v3-retention")
        let chunk = Chunk(timestamps: [1000, 2000, 2000, 5000], values: [1.5, 2, 2.25, -3], flags: [0, 0, 0, 0])
        try old.write { db in
            try db.execute(sql: "INSERT INTO series (id, sensor_id, quantity, wijk, sealed_until, watermark) VALUES (1, 'a', 'pm25', '', 3600000, 5000)")
            try db.execute(sql: """
                INSERT INTO chunk (series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum, ts, value, flags)
                VALUES (1, 0, 1000, 5000, 4, -3, 2.25, 2.75, ?, ?, ?)
                """, arguments: [Data(chunk.timestamps), Data(chunk.values), Data(chunk.flags)])
        }
        try old.close()
        let store = try SQLiteStore(dataDirectory: dir)
        let readings = try all(store)
        #expect(readings.map(\.timestamp) == [1000, 2000, 2000, 5000])
        #expect(readings.map(\.value) == [1.5, 2, 2.25, -3])
        #expect(try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ts_block b JOIN chunk c ON c.ts_id = b.id") } == 1)
        // v25 dropped the reference-count triggers of v4, v29 the count: `chunk_ts` finds a block's chunks.
        #expect(try store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA table_info(ts_block)").map { $0["name"] as String } } == ["id", "ts"])
        #expect(try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'chunk'") } == 0)
        #expect(try store.integrityCheck() == ["ok"])
    }
}

struct SealExpiredTests {
    @Test func quietSeriesAreSealedByTheClock() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("quiet"), policy: ChunkPolicy(span: TimeBucket.hour, lateness: 600_000))
        let base = ISO8601.parse("2026-11-20T10:00:00Z")!
        let readings = (0..<30).map { Reading(series: SeriesKey(sensorID: "q", quantity: "pm25"), timestamp: base + Int64($0) * 60_000,
                                               value: Double($0), wijk: nil) }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        #expect(try store.readings.sealExpired(now: base + 65 * 60_000) == 0, "10:00-11:00 plus 10 min lateness has not passed yet")
        #expect(try store.readings.sealExpired(now: base + 71 * 60_000) == 30)
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "SELECT (SELECT count(*) FROM open_reading) + (SELECT count(*) FROM open_run)") } == 0)
        var values: [Double] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: base * 2)) { values.append($0.value) }
        #expect(values == readings.map(\.value))
        // The watermark stays the newest reading; the same reading again is a duplicate.
        let again = try store.readings.append(IngestBatch(readings: [readings[0]], quarantined: [], source: "t", offset: 2))
        #expect(again == AppendResult(duplicates: 1))
    }
}
