import Foundation
import GRDB
import LantaarnModel
@testable import Store
import TestSupport
import Testing

/// Archives loaded in any order: readings older than a series' sealed horizon are merged into
/// the sealed chunks of their windows, each window's chunk rewritten once per batch, and the
/// result is as compact as an in-order load of the same readings.
struct BackfillTests {
    static let day: Int64 = 86_400_000
    static let base = SyntheticReadings.base

    static func days(_ range: Range<Int>) -> [Reading] { SyntheticReadings.days(range) }

    func load(_ store: SQLiteStore, _ readings: [Reading], batch: Int = 20_000) throws -> AppendResult {
        var total = AppendResult()
        for (i, start) in stride(from: 0, to: readings.count, by: batch).enumerated() {
            let r = try store.readings.append(IngestBatch(readings: Array(readings[start..<min(start + batch, readings.count)]), quarantined: [],
                                                 source: "t", offset: Int64(i + 1)))
            total.stored += r.stored; total.backfilled += r.backfilled; total.duplicates += r.duplicates; total.conflicts += r.conflicts
        }
        return total
    }

    func bytes(_ store: SQLiteStore) throws -> (chunks: Int, bytes: Int, perWindow: Int) {
        try store.pool.read { db in
            let chunks = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk")!
            let bytes = try Int.fetchOne(db, sql: "SELECT (SELECT sum(length(value) + length(flags)) FROM chunk) + (SELECT sum(length(ts)) FROM ts_block)")!
            let most = try Int.fetchOne(db, sql: "SELECT max(n) FROM (SELECT count(*) AS n FROM chunk GROUP BY series_id, window_start)")!
            return (chunks, bytes, most)
        }
    }

    /// Loaded newest first, the store is as compact as an in-order load: one chunk per series and
    /// day, and timestamp blocks counted right. (That the readings and aggregates are the same is
    /// checked on every backend by `StoreConformanceTests/ReadingStoreConformanceTests`.)
    @Test func newestFirstIsAsCompactAsInOrder() throws {
        let inOrder = try SQLiteStore(dataDirectory: try scratchDirectory("backfill-in-order"))
        let all = Self.days(0..<30)
        #expect(try load(inOrder, all).stored == all.count)
        let reversed = try SQLiteStore(dataDirectory: try scratchDirectory("backfill-reversed"))
        _ = try load(reversed, Self.days(20..<30))
        #expect(try load(reversed, Self.days(0..<20)).backfilled == 20 * 720 * 4)

        // One chunk per series and day, as compact as the in-order load (within 5 %).
        let (a, b) = (try bytes(inOrder), try bytes(reversed))
        #expect(a.chunks == b.chunks && b.perWindow == 1)
        #expect(Double(b.bytes) <= Double(a.bytes) * 1.05, "in order \(a.bytes) B, backfilled \(b.bytes) B")
        #expect(try reversed.integrityCheck() == ["ok"])
        // No timestamp block is left without a chunk (the foreign key holds the other way).
        #expect(try reversed.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ts_block b WHERE NOT EXISTS (SELECT 1 FROM chunk WHERE ts_id = b.id)")
        } == 0)
    }

    /// A backfill leaves holes in chunk pages; the purge rewrites the file once backfills rewrote
    /// a tenth of the chunks, says so, and not again until they do once more.
    @Test func thePurgeCompactsAfterEnoughBackfill() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("compaction"))
        let all = Self.days(0..<30)
        // Every other hour of the first 20 days is left out, then loaded after the rest.
        let late = all.filter { $0.timestamp < Self.base + 20 * Self.day && ($0.timestamp / 3_600_000) % 2 == 0 }
        let lateTimes = Set(late.map(\.timestamp))
        _ = try load(store, all.filter { !lateTimes.contains($0.timestamp) })
        let keepAll = RetentionPolicies(readings: RetentionPolicy(keep: "1000y", basis: "t")!, datasets: [:])
        #expect(try store.retention.purge(keepAll, dryRun: false).compacted == nil, "nothing rewritten yet")
        let back = try load(store, late)
        #expect(back.backfilled == late.count)
        let report = try store.retention.purge(keepAll, dryRun: false)
        let compacted = try #require(report.compacted, "80 of 120 chunks rewritten")
        #expect(compacted.after <= compacted.before)
        #expect(try store.retention.purge(keepAll, dryRun: false).compacted == nil, "the count starts again")
        #expect(try store.readings.readingCount() == all.count)
    }

    /// Backfilled quantities of one sensor share one timestamp block per window again, whether
    /// they come in one batch or in separate ones, and sensors with equal times keep their own.
    @Test func backfilledQuantitiesShareTheirTimestampBlock() throws {
        func blocks(_ store: SQLiteStore) throws -> [String: [Int]] {
            try store.pool.read { db in
                var out: [String: [Int]] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT min(s.sensor_id) AS sensor, count(DISTINCT s.sensor_id) AS sensors, count(*) AS uses
                    FROM ts_block b JOIN chunk c ON c.ts_id = b.id JOIN series s ON s.id = c.series_id
                    GROUP BY b.id ORDER BY min(c.window_start)
                    """) {
                    #expect(row["sensors"] as Int == 1, "a block shared across sensors")
                    out[row["sensor"], default: []].append(row["uses"])
                }
                return out
            }
        }
        let all = Self.days(0..<6)
        // Hour 9 of the first three days is loaded last.
        let gapEnd = Self.base + 3 * Self.day
        func gap(_ r: Reading) -> Bool { r.timestamp < gapEnd && (r.timestamp / 3_600_000) % 24 == 9 }
        // Together: both quantities of both sensors in one batch.
        let together = try SQLiteStore(dataDirectory: try scratchDirectory("share-together"))
        _ = try load(together, all.filter { !gap($0) })
        let late = all.filter(gap)
        #expect(late.count == 3 * 30 * 4)
        #expect(try load(together, late).backfilled == late.count)
        // Apart: each series' late readings in a batch of its own, pm10 before pm25.
        let apart = try SQLiteStore(dataDirectory: try scratchDirectory("share-apart"))
        _ = try load(apart, all.filter { !gap($0) })
        for (sensor, quantity) in [("a", "pm10"), ("b", "pm10"), ("a", "pm25"), ("b", "pm25")] {
            _ = try load(apart, all.filter { gap($0) && $0.series == SeriesKey(sensorID: sensor, quantity: quantity) })
        }
        for store in [together, apart] {
            // Five sealed days (the sixth is still open), one block per sensor and day, each used
            // by the sensor's two quantities.
            let found = try blocks(store)
            #expect(found == ["a": Array(repeating: 2, count: 5), "b": Array(repeating: 2, count: 5)], "\(found)")
            #expect(try store.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM ts_block b WHERE NOT EXISTS (SELECT 1 FROM chunk WHERE ts_id = b.id)")
            } == 0)
            #expect(try store.readings.readingCount() == all.count)
            #expect(try store.integrityCheck() == ["ok"])
        }
    }

    /// A backfill rewrites each window's chunk row in place (its id stays) and leaves no block
    /// without a chunk; the key from a chunk to its timestamp block, checked at commit since v30,
    /// still refuses a commit that breaks it.
    @Test func chunksAreRewrittenInPlaceAndTheBlockKeyHoldsAtCommit() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("backfill-in-place"))
        let all = Self.days(0..<6)
        func gap(_ r: Reading) -> Bool { r.timestamp < Self.base + 3 * Self.day && (r.timestamp / 3_600_000) % 24 == 9 }
        _ = try load(store, all.filter { !gap($0) })
        func chunks() throws -> [[Int64]] {
            try store.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, series_id, window_start, count FROM chunk ORDER BY id").map { [$0[0], $0[1], $0[2], $0[3]] }
            }
        }
        let before = try chunks()
        #expect(try load(store, all.filter(gap)).backfilled == 3 * 30 * 4)
        let after = try chunks()
        let rows: ([[Int64]]) -> [[Int64]] = { $0.map { Array($0[0...2]) } }
        let readings: ([[Int64]]) -> Int64 = { $0.reduce(0) { $0 + $1[3] } }
        #expect(rows(after) == rows(before), "the same rows, in place")
        #expect(readings(after) == readings(before) + 3 * 30 * 4)
        #expect(try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ts_block b WHERE NOT EXISTS (SELECT 1 FROM chunk WHERE ts_id = b.id)")
        } == 0)
        #expect(try store.readings.readingCount() == all.count)

        let first = try #require(after.first?[0])
        #expect(throws: DatabaseError.self) {
            try store.pool.write { db in
                try db.execute(sql: "UPDATE chunk SET ts_id = (SELECT max(id) + 1 FROM ts_block) WHERE id = ?", arguments: [first])
            }
        }
        #expect(try chunks() == after, "the refused commit changed nothing")
        #expect(try store.integrityCheck() == ["ok"])
    }
}

/// A sensor's quantities that share a timestamp block and are backfilled with the same times
/// keep sharing it, rewritten in place (`SQLiteReadingLedger.replaceWindow`); when a chunk on
/// the block takes no new readings, or the quantities had different blocks, the merged chunks
/// go to another block and the untouched chunk keeps its times.
struct SharedBlockRewriteTests {
    static let day = BackfillTests.day
    static let base = BackfillTests.base

    /// Sensor `a`'s days with a third quantity, `no2`, at the same times.
    static func readings(_ days: Range<Int>) -> [Reading] {
        let a = SyntheticReadings.days(days).filter { $0.series.sensorID == "a" }
        return a + a.filter { $0.series.quantity == "pm25" }.map { var r = $0; r.series.quantity = "no2"; r.value += 100; return r }
    }

    static func dayOf(_ r: Reading) -> Int64 { (r.timestamp - base) / day }

    /// What the sensor's uplink missed: hour 9 of days 0-2, of pm10 on day 2 only its first half.
    static func missed(_ r: Reading) -> Bool {
        guard dayOf(r) < 3, (r.timestamp / 3_600_000) % 24 == 9 else { return false }
        return !(dayOf(r) == 2 && r.series.quantity == "pm10" && r.timestamp % 3_600_000 >= 1_800_000)
    }

    @Test func aSharedBlockIsRewrittenInPlaceOnlyWhenEveryChunkOnItTakesTheSameTimes() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("shared-block-rewrite"))
        let all = Self.readings(0..<6)
        _ = try store.readings.append(IngestBatch(readings: all.filter { !Self.missed($0) }, quarantined: [], source: "t", offset: 1))
        func blocks() throws -> [String: Int64] {
            try store.pool.read { db in
                var out: [String: Int64] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT s.quantity, c.window_start, c.ts_id FROM chunk c JOIN series s ON s.id = c.series_id") {
                    out["\(row[0] as String) \(((row[1] as Int64) - Self.base) / Self.day)"] = row[2]
                }
                return out
            }
        }
        let before = try blocks()
        for day in 0..<2 { #expect(Set(["pm25", "pm10", "no2"].map { before["\($0) \(day)"] }).count == 1, "day \(day): one block") }
        #expect(before["pm25 2"] == before["no2 2"] && before["pm10 2"] != before["pm25 2"])

        // No2's readings of day 0 never come.
        let late = all.filter { Self.missed($0) && !(Self.dayOf($0) == 0 && $0.series.quantity == "no2") }
        #expect(try store.readings.append(IngestBatch(readings: late, quarantined: [], source: "t", offset: 2)).backfilled == late.count)
        let after = try blocks()
        // Day 0: no2 keeps the old block and its times; pm25 and pm10 share a new one.
        #expect(after["no2 0"] == before["no2 0"])
        #expect(after["pm25 0"] == after["pm10 0"] && after["pm25 0"] != before["pm25 0"])
        // Day 1: all three took the same times: the block is rewritten in place.
        #expect(["pm25", "pm10", "no2"].allSatisfy { after["\($0) 1"] == before["\($0) 1"] })
        // Day 2: two blocks before, one new block after.
        #expect(Set(["pm25", "pm10", "no2"].map { after["\($0) 2"] }).count == 1)
        #expect(after["pm25 2"] != before["pm25 2"] && after["pm25 2"] != before["pm10 2"])

        var stored: [String] = []
        try store.readings.scan(quantities: ["pm25", "pm10", "no2"], window: TimeWindow(start: Self.base, end: Self.base + 6 * Self.day)) {
            stored.append("\($0.series.quantity) \($0.timestamp) \($0.value)")
        }
        let expected = all.filter { !(Self.missed($0) && Self.dayOf($0) == 0 && $0.series.quantity == "no2") }
        #expect(stored.sorted() == expected.map { "\($0.series.quantity) \($0.timestamp) \($0.value)" }.sorted())
        #expect(try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ts_block b WHERE NOT EXISTS (SELECT 1 FROM chunk WHERE ts_id = b.id)")
        } == 0)
        #expect(try store.integrityCheck() == ["ok"])
    }
}
