import Foundation
import LantaarnModel
import Store
import Testing

/// Changes to stored readings on every backend: wijk reassignment (`geo import --reassign`) and
/// corrections of quarantined conflicts (`quarantine replay --replace`).
struct ReadingChangeConformanceTests {
    static let hour = TimeBucket.hour
    static let base = ISO8601.parse("2026-11-20T00:00:00Z")!

    /// Readings in sealed chunks (whole and straddling the window) and in the open buffer
    /// move to the new wijk's series; readings outside the window stay; a dry run changes nothing.
    @Test(arguments: Backend.allCases)
    func reassignMovesReadingsInTheWindowOnly(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend, policy: ChunkPolicy(span: Self.hour, lateness: 10 * 60_000))
        defer { store.close() }
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
        #expect(try store.readings.reassignWijk([move], vintage: 2024, now: 1, dryRun: true, progress: nil) == 210)
        #expect(try wijken(store, "s") == ["WK039201": 300])
        #expect(try store.readings.reassignWijk([move], vintage: 2024, now: 1, dryRun: false, progress: nil) == 210)
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
        // Once moved, a second run moves nothing.
        #expect(try store.readings.reassignWijk([move], vintage: 2024, now: 1, dryRun: false, progress: nil) == 0)
        // New readings of the new wijk continue the moved series.
        let later = Reading(series: SeriesKey(sensorID: "s", quantity: "pm25"), timestamp: Self.base + 300 * 60_000, value: 1, wijk: WijkCode("WK039202"))
        #expect(try store.readings.append(IngestBatch(readings: [later], quarantined: [], source: "t", offset: 2)).stored == 1)
    }

    /// A conflicting reading replaces the stored value on purpose, in the open buffer and in a
    /// sealed chunk; the correction is recorded and its quarantine entry removed.
    @Test(arguments: Backend.allCases)
    func correctionsReplaceTheStoredValue(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend, policy: ChunkPolicy(span: Self.hour, lateness: 0))
        defer { store.close() }
        func reading(_ m: Int64, _ v: Double) -> Reading {
            Reading(series: SeriesKey(sensorID: "s", quantity: "pm25"), timestamp: Self.base + m * 60_000, value: v, wijk: WijkCode("WK039201"))
        }
        // Hour 0 sealed (the next hour's readings close it), hour 1 open.
        try store.readings.append(IngestBatch(readings: (0..<90).map { reading($0, Double($0)) }, quarantined: [], source: "t", offset: 1))
        let conflicts = [reading(10, 99), reading(70, 77)]
        #expect(try store.readings.append(IngestBatch(readings: conflicts, quarantined: [], source: "t", offset: 2)).conflicts == 2)
        let entries = try store.readings.quarantine(limit: 10).sorted { $0.id! < $1.id! }
        #expect(entries.count == 2)
        let sealed = try #require(try store.readings.correct(conflicts[0], quarantineID: entries[0].id!, note: "kalibratie"))
        #expect(sealed.oldValue == 10 && sealed.newValue == 99 && sealed.note == "kalibratie")
        let open = try #require(try store.readings.correct(conflicts[1], quarantineID: entries[1].id!, note: "handmatig"))
        #expect(open.oldValue == 70 && open.newValue == 77)
        #expect(try store.readings.quarantine(limit: 10).isEmpty)
        #expect(try store.readings.corrections(limit: 10).map(\.note) == ["handmatig", "kalibratie"])
        var values: [Int64: Double] = [:]
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max)) { values[($0.timestamp - Self.base) / 60_000] = $0.value }
        #expect(values.count == 90 && values[10] == 99 && values[70] == 77 && values[11] == 11)
        // A used quarantine id is refused; a time with no stored value changes nothing.
        #expect(throws: (any Error).self) { try store.readings.correct(conflicts[0], quarantineID: entries[0].id!, note: "x") }
        try store.readings.append(IngestBatch(readings: [], quarantined: [entries[0]], source: "t", offset: 3))
        let again = try #require(try store.readings.quarantine(limit: 1).first?.id)
        #expect(try store.readings.correct(reading(500, 1), quarantineID: again, note: "x") == nil)
    }

    /// Readings of `sensor` per wijk.
    func wijken(_ store: StoreUnderTest, _ sensor: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max)) { r in
            if r.series.sensorID == sensor { out[r.wijk?.rawValue ?? "", default: 0] += 1 }
        }
        return out
    }
}
