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
        try store.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { out.append($0) }
        return out
    }

    func counts(_ store: SQLiteStore) throws -> (chunks: Int, open: Int) {
        try store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk")!, try Int.fetchOne(db, sql: "SELECT count(*) FROM open_reading")!)
        }
    }

    @Test func closedWindowsAreSealedIntoChunksAndLateReadingsQuarantined() throws {
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
        let result = try store.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        #expect(result == AppendResult(stored: 180, late: 0))
        // Watermark 02:59; lateness 10 min: windows ending by 02:49 are sealed, i.e. hours 0 and 1.
        #expect(try counts(store) == (2, 60))
        let scanned = try all(store)
        #expect(scanned.map(\.timestamp) == readings.map(\.timestamp).sorted())
        #expect(scanned.map(\.value) == readings.sorted { $0.timestamp < $1.timestamp }.map(\.value))
        #expect(try store.readingCount() == 180)

        // A reading for sealed hour 1 is refused with a reason; one for the open hour is taken.
        let late = try store.append(IngestBatch(readings: [reading(Self.base + Self.hour + 5, 1), reading(Self.base + 2 * Self.hour + 5, 2)],
                                                quarantined: [], source: "t", offset: 2))
        #expect(late == AppendResult(stored: 1, late: 1))
        let reason = try #require(try store.quarantine(limit: 1).first)
        #expect(reason.reason.contains("arrived after its window was sealed"))
        #expect(reason.origin == "store")
        #expect(try store.committedOffset(source: "t") == 2)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test func scanWindowCutsAcrossChunksAndBuffer() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("cut"), policy: ChunkPolicy(span: Self.hour, lateness: 0))
        let readings = (0..<300).map { reading(Self.base + Int64($0) * 60_000, Double($0)) }
        try store.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        var got: [Int64] = []
        try store.scan(quantities: ["pm25"], window: TimeWindow(start: Self.base + 90 * 60_000, end: Self.base + 250 * 60_000)) {
            got.append($0.timestamp)
        }
        #expect(got == (90..<250).map { Self.base + Int64($0) * 60_000 })
        #expect(try counts(store).chunks == 4)
    }

    @Test func sensorInTwoWijkenIsTwoSeries() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("moved"))
        try store.append(IngestBatch(readings: [reading(Self.base, 1, wijk: "WK039201"), reading(Self.base + 1, 2, wijk: "WK039202"),
                                                reading(Self.base + 2, 3, wijk: nil)], quarantined: [], source: "t", offset: 1))
        #expect(try all(store).map { $0.wijk?.rawValue } == ["WK039201", "WK039202", nil])
    }

    @Test func chunkSpanIsFixedAtCreation() throws {
        let dir = try scratchDirectory("span")
        _ = try SQLiteStore(dataDirectory: dir, policy: ChunkPolicy(span: Self.hour, lateness: 0))
        let reopened = try SQLiteStore(dataDirectory: dir, policy: ChunkPolicy(span: 86_400_000, lateness: 5))
        #expect(reopened.policy == ChunkPolicy(span: Self.hour, lateness: 5))
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
}

struct SealExpiredTests {
    @Test func quietSeriesAreSealedByTheClock() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("quiet"), policy: ChunkPolicy(span: TimeBucket.hour, lateness: 600_000))
        let base = ISO8601.parse("2026-11-20T10:00:00Z")!
        let readings = (0..<30).map { Reading(series: SeriesKey(sensorID: "q", quantity: "pm25"), timestamp: base + Int64($0) * 60_000,
                                               value: Double($0), wijk: nil) }
        try store.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        #expect(try store.sealExpired(now: base + 65 * 60_000) == 0, "10:00-11:00 plus 10 min lateness has not passed yet")
        #expect(try store.sealExpired(now: base + 71 * 60_000) == 30)
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM open_reading") } == 0)
        var values: [Double] = []
        try store.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: base * 2)) { values.append($0.value) }
        #expect(values == readings.map(\.value))
        // The watermark stays the newest reading; a late reading for the sealed hour is now refused.
        let late = try store.append(IngestBatch(readings: [readings[0]], quarantined: [], source: "t", offset: 2))
        #expect(late.late == 1)
    }
}
