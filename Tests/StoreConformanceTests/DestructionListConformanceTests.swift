import Foundation
import LantaarnModel
import Store
import Testing

/// An approved destruction list destroys what it names and nothing else (``RetentionPolicies/only``),
/// on every backend: of two series, two datasets and two quarantine sources all past their
/// retention, only the named ones go; sealed chunks and the open buffer alike.
struct DestructionListConformanceTests {
    static let day: Int64 = 86_400_000
    static let now = ISO8601.parse("2026-11-22T12:00:00Z")!

    @Test(arguments: Backend.allCases)
    func onlyWhatTheListNames(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend, policy: ChunkPolicy(span: Self.day, lateness: 0))
        defer { store.close() }
        let old = TimeBucket.floor(Self.now - 30 * Self.day, size: Self.day)
        var readings: [Reading] = []
        for sensor in ["a", "b"] {
            readings += (0..<(3 * 24)).map {
                Reading(series: SeriesKey(sensorID: sensor, quantity: "pm25"), timestamp: old + Int64($0) * 3_600_000, value: 1, wijk: WijkCode("WK039201"))
            }
        }
        func entry(_ source: String) -> QuarantineEntry {
            QuarantineEntry(receivedAt: Self.now - 10 * Self.day, source: source, origin: "lantaarn/sensors/x/readings", sensorID: "x",
                            reason: "unknown field", payload: Array("{}".utf8))
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [entry("mqtt"), entry("file")], source: "t", offset: 1))
        for name in ["d", "e"] {
            try store.releases.register(DatasetMetadata(name: name, title: "T", description: "D", pipeline: "p", license: "CC0-1.0", retention: "10d",
                                                         columns: [ColumnSpec(name: "n", type: .integer, description: "")]))
            try store.releases.publish(ReleaseDraft(dataset: name, window: TimeWindow(start: old, end: old + Self.day), rows: [[.integer(1)]],
                                                    rowsIn: 1, lineage: .null))
        }
        let keep = RetentionPolicy(keep: "7d", basis: "b")!
        var policies = RetentionPolicies(readings: keep, datasets: ["d": keep, "e": keep], quarantine: keep)
        let all = try store.retention.purge(policies, now: Self.now, dryRun: true)
        #expect(Set(all.destroyed.map(\.subject)) == ["a/pm25", "b/pm25", "d", "e", "quarantine/mqtt", "quarantine/file"])

        policies.only = [RetentionPolicies.key("readings", "a/pm25"), RetentionPolicies.key("dataset", "e"), RetentionPolicies.key("quarantine", "quarantine/file"),
                         RetentionPolicies.key("dataset", "b/pm25")]   // a name of the wrong kind destroys nothing
        let listed = try store.retention.purge(policies, now: Self.now, dryRun: false)
        #expect(listed.destroyed.map(\.subject).sorted() == ["a/pm25", "e", "quarantine/file"])
        #expect(listed.destroyed.first { $0.subject == "a/pm25" }?.readings == 72)
        var left: [String] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Self.now)) { left.append($0.series.sensorID) }
        #expect(left.count == 72 && Set(left) == ["b"])
        #expect(try store.releases.dataset(named: "d")?.rowCount == 1 && store.releases.dataset(named: "e")?.rowCount == 0)
        #expect(try store.readings.quarantine(limit: 10).map(\.source) == ["mqtt"])
        // What is left is what the unnamed subjects hold.
        policies.only = nil
        #expect(Set(try store.retention.purge(policies, now: Self.now, dryRun: true).destroyed.map(\.subject)) == ["b/pm25", "d", "quarantine/mqtt"])
    }
}
