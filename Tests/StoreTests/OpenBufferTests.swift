import Foundation
import GRDB
import LantaarnModel
@testable import Store
import Testing

/// SQLite's open buffer holds packed runs (one per series and batch) and, after a purge or a
/// reassignment unpacked them, single rows; both read as one buffer in arrival order.
struct OpenBufferTests {
    static let base = ISO8601.parse("2026-11-20T10:00:00Z")!
    static let day: Int64 = 86_400_000

    func reading(_ minute: Int64, _ v: Double) -> Reading {
        Reading(series: SeriesKey(sensorID: "s", quantity: "pm25"), timestamp: Self.base + minute * 60_000, value: v, wijk: nil)
    }

    /// A store whose windows stay open (a day's span, a day's lateness) and one series' id.
    func store(_ name: String) throws -> SQLiteStore {
        try SQLiteStore(dataDirectory: try scratchDirectory(name), policy: ChunkPolicy(span: Self.day, lateness: Self.day))
    }

    func minutes(_ c: ReadingColumns) -> [Int64] { c.ts.map { ($0 - Self.base) / 60_000 } }

    @Test func rowsAndRunsReadAsOneBufferInArrivalOrder() throws {
        let store = try store("open-runs")
        try store.readings.append(IngestBatch(readings: [reading(5, 2), reading(10, 1)], quarantined: [], source: "t", offset: 1))
        // A purge or reassignment turns the runs into rows; later batches are runs again.
        try store.pool.write { try SQLiteOpenBuffer.unpack($0, before: .max) }
        try store.pool.write { db in
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM series")!
            // Written directly: the store's append would hold the second reading at minute 5 a conflict.
            try SQLiteOpenBuffer.insert(db, seriesID: id, ReadingColumns(ts: [5, 20].map { Self.base + $0 * 60_000 }, vs: [3, 4], fs: [0, 2]))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM open_reading") == 2)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM open_run") == 1)
            let all = try SQLiteOpenBuffer.readings(db, seriesID: id, times: Int64.min...Int64.max)
            #expect(minutes(all) == [5, 10, 5, 20] && all.vs == [2, 1, 3, 4], "rows by id, then runs by id")
            // The writer sees them in (time, arrival) order.
            let ledger = SQLiteReadingLedger(db: db, span: Self.day)
            let buffered = try ledger.bufferedReadings(seriesID: id, before: Self.base + 21 * 60_000)
            #expect(minutes(buffered) == [5, 5, 10, 20] && buffered.vs == [2, 3, 1, 4] && buffered.fs == [0, 0, 0, 2])
            #expect(try SQLiteOpenBuffer.count(db) == 4)
            #expect(try SQLiteOpenBuffer.span(db, seriesID: id).map { [$0.first, $0.last] } == [Self.base + 5 * 60_000, Self.base + 20 * 60_000])

            // A correction changes the first reading at its time, row or run.
            #expect(try SQLiteOpenBuffer.replaceFirst(db, seriesID: id, at: Self.base + 5 * 60_000, with: 9) == 2)
            #expect(try SQLiteOpenBuffer.replaceFirst(db, seriesID: id, at: Self.base + 20 * 60_000, with: 8) == 4)
            #expect(try SQLiteOpenBuffer.replaceFirst(db, seriesID: id, at: Self.base + 21 * 60_000, with: 7) == nil)

            // Sealing up to minute 10 keeps the rest of a run that straddles the limit.
            try SQLiteOpenBuffer.delete(db, seriesID: id, before: Self.base + 11 * 60_000)
            let left = try SQLiteOpenBuffer.readings(db, seriesID: id, times: Int64.min...Int64.max)
            #expect(minutes(left) == [20] && left.vs == [8])
            #expect(try Int64.fetchOne(db, sql: "SELECT ts_min FROM open_run") == Self.base + 20 * 60_000)
            #expect(try SQLiteOpenBuffer.count(db) == 1)
        }
        // Readers see the same through the store.
        var scanned: [Double] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Self.base * 2)) { scanned.append($0.value) }
        #expect(scanned == [8])
    }

    @Test func unpackingKeepsEveryReadingAndItsOrder() throws {
        let store = try store("open-unpack")
        for batch in 0..<5 {
            let readings = (0..<7).map { reading(Int64(batch * 7 + (6 - $0)), Double(batch * 10 + $0)) }
            try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: Int64(batch + 1)))
        }
        let before = try store.pool.read { db in
            try SQLiteOpenBuffer.readings(db, seriesID: try Int64.fetchOne(db, sql: "SELECT id FROM series")!, times: Int64.min...Int64.max)
        }
        try store.pool.write { try SQLiteOpenBuffer.unpack($0, before: .max) }
        try store.pool.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM open_run") == 0)
            let after = try SQLiteOpenBuffer.readings(db, seriesID: try Int64.fetchOne(db, sql: "SELECT id FROM series")!, times: Int64.min...Int64.max)
            #expect(after.ts == before.ts && after.vs == before.vs && after.fs == before.fs && after.ts.count == 35)
        }
        #expect(try store.readings.readingCount() == 35)
    }

    @Test func aPurgeUnpacksOnlyWhatItDestroysAndKeepsSeriesHeldInRuns() throws {
        let store = try store("open-purge")
        let now = Self.base + 30 * Self.day
        func at(_ sensor: String, _ ts: Int64, _ v: Double) -> Reading {
            Reading(series: SeriesKey(sensorID: sensor, quantity: "pm25"), timestamp: ts, value: v, wijk: nil)
        }
        // Both sensors' windows stay open: their only readings sit in runs.
        let readings = (0..<5).map { at("old", now - 20 * Self.day + Int64($0) * 60_000, 1) }
            + (0..<5).map { at("fresh", now - 3_600_000 + Int64($0) * 60_000, 2) }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        let policies = RetentionPolicies(readings: RetentionPolicy(keep: "7d", basis: "Selectielijst 2020, categorie 1.1")!, datasets: [:])
        func runs() throws -> Int { try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM open_run")! } }

        let dry = try store.retention.purge(policies, now: now, dryRun: true)
        #expect(dry.destroyed.map(\.readings) == [5])
        #expect(try store.readings.readingCount() == 10 && runs() == 2, "a dry run leaves the runs as they were")

        let report = try store.retention.purge(policies, now: now, dryRun: false)
        #expect(report.destroyed.map(\.readings) == [5])
        #expect(try store.readings.readingCount() == 5)
        #expect(try runs() == 1, "the fresh sensor's run was not unpacked")
        #expect(try store.pool.read { try String.fetchAll($0, sql: "SELECT sensor_id FROM series") } == ["fresh"])
        var kept: [Double] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: now)) { kept.append($0.value) }
        #expect(kept == [2, 2, 2, 2, 2])
    }

    @Test func aDamagedRunFailsWithItsEntryNamed() throws {
        let store = try store("open-damaged")
        try store.readings.append(IngestBatch(readings: [reading(1, 1)], quarantined: [], source: "t", offset: 1))
        try store.pool.write { try $0.execute(sql: "UPDATE open_run SET readings = x'0102'") }
        #expect {
            try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Self.base * 2)) { _ in }
        } throws: { error in
            "\(error)".contains("open buffer entry 1 is damaged") && "\(error)".contains("restore the store from a backup")
        }
    }
}
