import Foundation
import GRDB
import LantaarnModel
@testable import Store
import TestSupport
import Testing

/// The appender sifts, merges and encodes each sensor's overlapping series on another thread
/// (`SeriesWork`) while the writer reads and writes the others: a batch that mixes backfill,
/// live series, duplicates and conflicts over many sensors is stored exactly as one series per
/// batch stores it, and a chunk that does not decode on that thread fails the whole batch.
struct AppendWorkTests {
    static let day = SyntheticReadings.day
    static let base = SyntheticReadings.base

    /// Days of sensor `s<k>` (two quantities; the synthetic sensor `a`'s values).
    static func sensor(_ k: Int, days: Range<Int>) -> [Reading] {
        SyntheticReadings.days(days).filter { $0.series.sensorID == "a" }.map {
            var r = $0
            r.series = SeriesKey(sensorID: "s\(k)", quantity: r.series.quantity)
            return r
        }
    }

    /// Hour 9 of days 0-2: what the sensors' uplinks missed, loaded after the rest.
    static func gap(_ r: Reading) -> Bool { r.timestamp < base + 3 * day && (r.timestamp / 3_600_000) % 24 == 9 }

    func append(_ store: SQLiteStore, _ readings: [Reading], offset: Int64) throws -> AppendResult {
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: offset))
    }

    /// Every stored reading, in scan order, and the quarantine's reasons.
    func contents(_ store: SQLiteStore) throws -> (readings: [String], quarantine: [String]) {
        var readings: [String] = []
        try store.readings.scan(quantities: ["pm25", "pm10"], window: TimeWindow(start: Self.base, end: Self.base + 10 * Self.day)) {
            readings.append("\($0.series.sensorID) \($0.series.quantity) \($0.timestamp) \($0.value)")
        }
        return (readings, try store.readings.quarantine(limit: 1000).map { "\($0.sensorID ?? "") \($0.reason)" })
    }

    @Test func aMixedBatchIsStoredAsSeriesOneByOne() throws {
        // Sensors 0-5 get their gaps backfilled (merged into sealed windows); 6 and 7 a live day 6;
        // sensor 2 repeats 50 stored readings (duplicates), sensor 3 sends 10 with other values
        // (conflicts). Live series sit between backfilled ones, so units are written around them
        // in batch order.
        var batch: [[Reading]] = []
        for k in [0, 6, 1, 2, 7, 3, 4, 5] {
            var readings = k >= 6 ? Self.sensor(k, days: 6..<7) : Self.sensor(k, days: 0..<3).filter(Self.gap)
            if k == 2 { readings += Self.sensor(k, days: 4..<5).prefix(50) }
            if k == 3 { readings += Self.sensor(k, days: 4..<5).prefix(10).map { var r = $0; r.value += 1; return r } }
            batch.append(readings)
        }
        let stores = try (0..<2).map { try SQLiteStore(dataDirectory: try scratchDirectory("append-work-\($0)")) }
        for store in stores { _ = try append(store, (0..<8).flatMap { Self.sensor($0, days: 0..<6).filter { !Self.gap($0) } }, offset: 1) }

        let together = try append(stores[0], batch.flatMap { $0 }, offset: 2)
        var oneByOne = AppendResult()
        for (k, readings) in batch.enumerated() {
            for quantity in ["pm25", "pm10"] {
                let r = try append(stores[1], readings.filter { $0.series.quantity == quantity }, offset: Int64(2 + 2 * k + (quantity == "pm25" ? 0 : 1)))
                oneByOne.stored += r.stored; oneByOne.backfilled += r.backfilled
                oneByOne.duplicates += r.duplicates; oneByOne.conflicts += r.conflicts
            }
        }
        #expect(together.backfilled == 6 * 2 * 3 * 30)
        #expect(together.stored == together.backfilled + 2 * 2 * 720)
        #expect(together.duplicates == 50 && together.conflicts == 10)
        let counts: (AppendResult) -> [Int] = { [$0.stored, $0.backfilled, $0.duplicates, $0.conflicts] }
        #expect(counts(together) == counts(oneByOne))
        let (a, b) = (try contents(stores[0]), try contents(stores[1]))
        #expect(a.readings.count == 8 * 2 * 6 * 720 - 8 * 2 * 3 * 30 + together.stored)
        #expect(a.readings == b.readings)
        #expect(a.quarantine.sorted() == b.quarantine.sorted() && a.quarantine.count == 10)
        for store in stores { #expect(try store.integrityCheck() == ["ok"]) }
    }

    /// A stored chunk that does not decode, met while another thread sifts its series, fails the
    /// batch with the chunk named; what other series of the batch wrote is rolled back.
    @Test func aChunkThatDoesNotDecodeFailsTheBatch() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("append-work-corrupt"))
        _ = try append(store, (0..<4).flatMap { Self.sensor($0, days: 0..<6).filter { !Self.gap($0) } }, offset: 1)
        let before = try contents(store)
        let broken = try store.pool.write { db -> Int64 in
            let id = try Int64.fetchOne(db, sql: """
                SELECT c.id FROM chunk c JOIN series s ON s.id = c.series_id WHERE s.sensor_id = 's2' AND s.quantity = 'pm10'
                ORDER BY c.window_start LIMIT 1
                """)!
            try db.execute(sql: "UPDATE chunk SET value = x'01ff' WHERE id = ?", arguments: [id])
            return id
        }
        // Sensors 0 and 1 (written before sensor 2's unit fails) and 3 backfill their gaps too.
        let backfill = (0..<4).flatMap { Self.sensor($0, days: 0..<3).filter(Self.gap) }
        let error = try #require(throws: (any Error).self) { try append(store, backfill, offset: 2) }
        #expect("\(error)".contains("damaged chunk \(broken) of series"), "\(error)")
        #expect(try store.readings.readingCount() == before.readings.count)
        #expect(try store.readings.committedOffset(source: "t") == 1)
        #expect(try store.integrityCheck() == ["ok"])
    }
}
