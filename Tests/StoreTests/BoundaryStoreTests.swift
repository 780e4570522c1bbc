import Foundation
import GRDB
import LantaarnModel
@testable import Store
import Testing

/// Boundary sets are kept in the store; `--reassign` moves stored readings between wijken.
struct BoundaryStoreTests {
    static let hour = TimeBucket.hour
    static let base = ISO8601.parse("2026-11-20T00:00:00Z")!

    @Test func boundarySetsRoundTripAndReplace() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("boundaries"))
        let set = StoredBoundarySet(level: "wijk", vintage: 2020, source: "w.geojson", sha256: "ab", importedAt: 1, report: "r",
                                    areas: [StoredBoundaryArea(code: "WK039202", name: "B", geometry: [1, 2, 3]),
                                            StoredBoundaryArea(code: "WK039201", name: "A", geometry: [4])])
        #expect(try store.boundaries.saveBoundarySet(set) == false)
        var sets = try store.boundaries.boundarySets()
        #expect(sets.count == 1 && sets[0].areas.map(\.code) == ["WK039201", "WK039202"] && sets[0].areas[1].geometry == [1, 2, 3])
        var replacement = set
        replacement.areas = [StoredBoundaryArea(code: "WK039203", name: "C", geometry: [9])]
        #expect(try store.boundaries.saveBoundarySet(replacement) == true)
        sets = try store.boundaries.boundarySets()
        #expect(sets.count == 1 && sets[0].areas.map(\.code) == ["WK039203"])
    }

    /// Readings in sealed chunks (whole and straddling the window) and in the open buffer
    /// move to the new wijk's series; readings outside the window stay; a dry run changes nothing.
    @Test func reassignMovesReadingsInTheWindowOnly() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("reassign"), policy: ChunkPolicy(span: Self.hour, lateness: 10 * 60_000))
        var readings: [Reading] = []
        for m in 0..<300 {   // five hours, one a minute, wijk 01
            readings.append(Reading(series: SeriesKey(sensorID: "s", quantity: "pm25"), timestamp: Self.base + Int64(m) * 60_000,
                                    value: Double(m), wijk: WijkCode("WK039201")))
            readings.append(Reading(series: SeriesKey(sensorID: "other", quantity: "pm25"), timestamp: Self.base + Int64(m) * 60_000,
                                    value: Double(m), wijk: WijkCode("WK039201")))
        }
        _ = try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        let total = try store.readings.readingCount()
        // From 90 minutes in (inside the second chunk) to the end: chunks 2 (part), 3, 4 and the open buffer.
        let window = TimeWindow(start: Self.base + 90 * 60_000, end: Int64.max)
        let move = WijkMove(sensorID: "s", window: window, wijk: WijkCode("WK039202"))
        #expect(try store.readings.reassignWijk([move], vintage: 2024, dryRun: true) == 210)
        #expect(try wijken(store, "s") == ["WK039201": 300])
        #expect(try store.readings.reassignWijk([move], vintage: 2024) == 210)
        #expect(try wijken(store, "s") == ["WK039201": 90, "WK039202": 210])
        #expect(try wijken(store, "other") == ["WK039201": 300], "other sensors stay")
        #expect(try store.readings.readingCount() == total, "nothing lost, nothing doubled")
        var seen: [Int64] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max)) { r in
            if r.series.sensorID == "s" {
                seen.append(r.timestamp)
                #expect(r.wijk == WijkCode(r.timestamp >= window.start ? "WK039202" : "WK039201"))
                #expect(r.value == Double((r.timestamp - Self.base) / 60_000))
            }
        }
        #expect(seen == (0..<300).map { Self.base + Int64($0) * 60_000 })
        let logged = try store.pool.read { db in try Row.fetchAll(db, sql: "SELECT sensor_id, to_wijk, readings, vintage FROM wijk_reassignment") }
        #expect(logged.count == 1)
        let row = try #require(logged.first)
        let (sensor, to, count, vintage): (String, String, Int, Int) = (row[0], row[1], row[2], row[3])
        #expect(sensor == "s" && to == "WK039202" && count == 210 && vintage == 2024)
        // Once moved, a second run moves nothing.
        #expect(try store.readings.reassignWijk([move], vintage: 2024) == 0)
        // New readings of the new wijk continue the moved series.
        let later = Reading(series: SeriesKey(sensorID: "s", quantity: "pm25"), timestamp: Self.base + 300 * 60_000, value: 1, wijk: WijkCode("WK039202"))
        #expect(try store.readings.append(IngestBatch(readings: [later], quarantined: [], source: "t", offset: 2)).stored == 1)
    }

    /// Readings of `sensor` per wijk.
    func wijken(_ store: SQLiteStore, _ sensor: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max)) { r in
            if r.series.sensorID == sensor { out[r.wijk?.rawValue ?? "", default: 0] += 1 }
        }
        return out
    }
}
