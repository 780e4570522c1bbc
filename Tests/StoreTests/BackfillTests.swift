import Foundation
import GRDB
import LantaarnModel
@testable import Store
import Testing

/// Archives loaded in any order: readings older than a series' sealed horizon are merged into
/// the sealed chunks of their windows, each window's chunk rewritten once per batch, and the
/// result is as compact as an in-order load of the same readings.
struct BackfillTests {
    static let day: Int64 = 86_400_000
    static let base = ISO8601.parse("2026-01-01T00:00:00Z")!

    /// 30 days of two sensors × two quantities, a reading every 2 minutes with a slow wave and
    /// decimals like a real sensor's.
    static func days(_ range: Range<Int>) -> [Reading] {
        var out: [Reading] = []
        for d in range {
            for m in stride(from: 0, to: 1440, by: 2) {
                let ts = base + Int64(d) * day + Int64(m) * 60_000
                for sensor in ["a", "b"] {
                    for (q, scale) in [("pm25", 1.0), ("pm10", 1.8)] {
                        let v = ((8 + 4 * sin(Double(m) / 90) + Double(d % 7)) * scale * 10).rounded() / 10
                        out.append(Reading(series: SeriesKey(sensorID: sensor, quantity: q), timestamp: ts, value: v, wijk: WijkCode("WK039201")))
                    }
                }
            }
        }
        return out
    }

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

    @Test func newestFirstIsStoredWhole() throws {
        let inOrder = try SQLiteStore(dataDirectory: try scratchDirectory("backfill-in-order"))
        let all = Self.days(0..<30)
        #expect(try load(inOrder, all).stored == all.count)

        // The last ten days first (live), then the first twenty: all of them backfill.
        let reversed = try SQLiteStore(dataDirectory: try scratchDirectory("backfill-reversed"))
        let recent = Self.days(20..<30), old = Self.days(0..<20)
        #expect(try load(reversed, recent).backfilled == 0)
        let backfill = try load(reversed, old)
        #expect(backfill.stored == old.count && backfill.backfilled == old.count && backfill.conflicts == 0)
        #expect(try reversed.readings.quarantine(limit: 1).isEmpty)
        #expect(try reversed.readings.readingCount() == all.count)

        // Same readings back, in time order, with the same daily aggregates.
        func scan(_ s: SQLiteStore) throws -> [Reading] {
            var out: [Reading] = []
            try s.readings.scan(quantities: ["pm25", "pm10"], window: TimeWindow(start: Self.base, end: Self.base + 30 * Self.day)) { out.append($0) }
            return out
        }
        #expect(try scan(reversed) == scan(inOrder))
        let query = AggregateQuery(quantities: ["pm25", "pm10"], window: TimeWindow(start: Self.base, end: Self.base + 30 * Self.day), bucket: Self.day)
        #expect(try reversed.readings.aggregate(query) == inOrder.readings.aggregate(query))

        // One chunk per series and day, as compact as the in-order load (within 5 %).
        let (a, b) = (try bytes(inOrder), try bytes(reversed))
        #expect(a.chunks == b.chunks && b.perWindow == 1)
        #expect(Double(b.bytes) <= Double(a.bytes) * 1.05, "in order \(a.bytes) B, backfilled \(b.bytes) B")

        // A missing half day loaded again into sealed days: every reading a duplicate.
        let overlap = Array(Self.days(4..<5).prefix(1000))
        let again = try load(reversed, overlap)
        #expect(again == AppendResult(duplicates: overlap.count))
        #expect(try reversed.readings.readingCount() == all.count)
        #expect(try reversed.integrityCheck() == ["ok"])
        // Every timestamp block counts exactly the chunks that use it (kept in code, not by a trigger).
        #expect(try reversed.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ts_block b WHERE refs != (SELECT count(*) FROM chunk WHERE ts_id = b.id)")
        } == 0)
        #expect(try reversed.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ts_block b WHERE NOT EXISTS (SELECT 1 FROM chunk WHERE ts_id = b.id)")
        } == 0)
    }

    /// Readings missing from a sealed day (every other one) merge into its chunk: one chunk, all readings.
    @Test func gapsInASealedDayAreFilled() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("backfill-gaps"))
        let days = Self.days(0..<3)
        let (even, odd) = (days.enumerated().filter { ($0.offset / 4) % 2 == 0 }.map(\.element),
                           days.enumerated().filter { ($0.offset / 4) % 2 == 1 }.map(\.element))
        _ = try load(store, even)
        let missing = odd.filter { $0.timestamp < Self.base + 2 * Self.day }
        let filled = try load(store, missing, batch: 700)
        #expect(filled.backfilled == missing.count, "days 1 and 2 are sealed (the third is open)")
        #expect(try bytes(store).perWindow == 1)
        var sum = 0.0
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: Self.base, end: Self.base + Self.day)) { sum += $0.value }
        let expected = days.filter { $0.series.quantity == "pm25" && $0.timestamp < Self.base + Self.day }.reduce(0) { $0 + $1.value }
        #expect(abs(sum - expected) < 1e-6)
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
}

