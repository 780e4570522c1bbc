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

    /// The reassignment log row (what `geo import --reassign` did, kept for the archive). That the
    /// readings move is checked on every backend by `StoreConformanceTests/ReadingChangeConformanceTests`.
    @Test func reassignmentsAreLogged() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("reassign"), policy: ChunkPolicy(span: Self.hour, lateness: 10 * 60_000))
        let readings = (0..<30).map { m in
            Reading(series: SeriesKey(sensorID: "s", quantity: "pm25"), timestamp: Self.base + Int64(m) * 60_000, value: Double(m), wijk: WijkCode("WK039201"))
        }
        _ = try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        let move = WijkMove(sensorID: "s", window: TimeWindow(start: Self.base + 10 * 60_000, end: Int64.max), wijk: WijkCode("WK039202"))
        #expect(try store.readings.reassignWijk([move], vintage: 2024) == 20)
        let logged = try store.pool.read { db in try Row.fetchAll(db, sql: "SELECT sensor_id, to_wijk, readings, vintage FROM wijk_reassignment") }
        #expect(logged.count == 1)
        let row = try #require(logged.first)
        let (sensor, to, count, vintage): (String, String, Int, Int) = (row[0], row[1], row[2], row[3])
        #expect(sensor == "s" && to == "WK039202" && count == 20 && vintage == 2024)
    }
}
