import Foundation
import LantaarnModel
import Store
import Testing

/// Legal holds over every kind of data the store's purge destroys: each test places a hold,
/// purges, and finds the held data untouched, the rest gone, and the hold named in the report
/// (`lantaarn purge` prints it as "kept N by legal hold #id ...").
struct LegalHoldConformanceTests {
    static let day: Int64 = 86_400_000
    static let now = ISO8601.parse("2026-11-22T12:00:00Z")!
    static let long = RetentionPolicy(keep: "3650d", basis: "b")!

    /// Readings held by their series' wijk (a sensor hold is covered by PurgeTests on SQLite).
    @Test(arguments: Backend.allCases)
    func readingsHeldByWijk(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend, policy: ChunkPolicy(span: Self.day, lateness: 0))
        defer { store.close() }
        let old = TimeBucket.floor(Self.now - 30 * Self.day, size: Self.day)
        var readings: [Reading] = []
        for (sensor, wijk) in [("a", "WK039201"), ("b", "WK039202")] {
            readings += (0..<(10 * 24)).map {
                Reading(series: SeriesKey(sensorID: sensor, quantity: "pm25"), timestamp: old + Int64($0) * 3_600_000, value: 1, wijk: WijkCode(wijk))
            }
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        let hold = try store.retention.addHold(kind: .wijk, subject: "WK039202", window: TimeWindow(start: old, end: old + 10 * Self.day), reason: "onderzoek")
        let report = try store.retention.purge(RetentionPolicies(readings: RetentionPolicy(keep: "7d", basis: "b")!, datasets: [:]), now: Self.now, dryRun: false)
        #expect(report.held.map(\.hold.id) == [hold] && report.held[0].readings == 240)
        #expect(report.destroyed.map(\.subject) == ["a/pm25"])
        var left: [String] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Self.now)) { left.append($0.series.sensorID) }
        #expect(left.count == 240 && Set(left) == ["b"])
    }

    /// Meldingen held by wijk and by hoofdcategorie, their text too; the rest goes.
    @Test(arguments: Backend.allCases)
    func meldingenAndTheirTextHeldByWijkAndCategory(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let year: Int64 = 365 * Self.day
        func m(_ id: String, wijk: String, category: String) -> MeldingWrite {
            var x = Melding(source: "signalen", sourceID: id, category: "c", createdAt: Self.now - 7 * year)
            x.wijk = wijk
            x.hoofdcategorie = category
            x.scrubbedText = "tekst \(id)"
            x.history = [Melding.StatusChange(at: x.createdAt, state: "m", closes: false),
                         Melding.StatusChange(at: Self.now - 6 * year, state: "o", closes: true)]
            return MeldingWrite(x)
        }
        _ = try store.meldingen.saveMeldingen([m("gone", wijk: "WK039201", category: "Groen"), m("wijk", wijk: "WK039202", category: "Groen"),
                                     m("category", wijk: "WK039201", category: "Afval")],
                                    file: MeldingFileRecord(sha256: "f", name: "f", format: "f", meldingen: 3, report: "", completedAt: 0))
        let window = TimeWindow(start: Self.now - 8 * year, end: Self.now)
        let byWijk = try store.retention.addHold(kind: .wijk, subject: "WK039202", window: window, reason: "klacht 12")
        let byCategory = try store.retention.addHold(kind: .category, subject: "Afval", window: window, reason: "Woo-verzoek 7")
        let policies = RetentionPolicies(readings: Self.long, datasets: [:], meldingen: RetentionPolicy(keep: "5y", basis: "Selectielijst 2020")!,
                                         meldingText: RetentionPolicy(keep: "1y", basis: "intern")!)
        let report = try store.retention.purge(policies, now: Self.now, dryRun: false)
        #expect(report.destroyed.first { $0.kind == "meldingen" }?.readings == 1)
        #expect(report.destroyed.first { $0.kind == "melding-text" } == nil, "the held meldingen keep their text")
        #expect(Set(report.held.map(\.hold.id)) == [byWijk, byCategory] && report.held.allSatisfy { $0.readings == 1 })
        let left = try store.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max))
        #expect(left.map(\.sourceID).sorted() == ["category", "wijk"] && left.allSatisfy { $0.scrubbedText != nil })
    }

    /// Quarantined input held by the sensor it named.
    @Test(arguments: Backend.allCases)
    func quarantineHeldBySensor(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        func entry(_ sensor: String) -> QuarantineEntry {
            QuarantineEntry(receivedAt: Self.now - 10 * Self.day, source: "mqtt", origin: "lantaarn/sensors/\(sensor)/readings", sensorID: sensor,
                            reason: "unknown field", payload: Array("{\"s\":\"\(sensor)\"}".utf8))
        }
        try store.readings.append(IngestBatch(readings: [], quarantined: [entry("x"), entry("y")], source: "mqtt", offset: 1))
        let hold = try store.retention.addHold(kind: .sensor, subject: "y", window: TimeWindow(start: Self.now - 20 * Self.day, end: Self.now), reason: "storing")
        var policies = RetentionPolicies(readings: Self.long, datasets: [:])
        policies.quarantine = RetentionPolicy(keep: "7d", basis: "technical buffer")!
        let report = try store.retention.purge(policies, now: Self.now, dryRun: false)
        #expect(report.destroyed.map(\.readings) == [1] && report.held.map(\.hold.id) == [hold])
        #expect(try store.readings.quarantine(limit: 10).map(\.sensorID) == ["y"])
    }

    /// ANPR sightings held by their camera; the drop logs itself in the same transaction.
    @Test(arguments: Backend.allCases)
    func anprSightingsHeldByCamera(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        _ = try store.anpr.appendSightings([AnprSighting(camera: "veerhaven", timestamp: Self.now - 3 * Self.day, pseudonym: "p1"),
                                       AnprSighting(camera: "n250-rotonde", timestamp: Self.now - 3 * Self.day, pseudonym: "p1")])
        try store.retention.addHold(kind: .sensor, subject: "veerhaven", window: TimeWindow(start: Self.now - 4 * Self.day, end: Self.now), reason: "aanrijding")
        let dropped = try store.anpr.dropSightings(before: Self.now - 2 * Self.day) { n in
            DestructionRecord(destroyedAt: Self.now, kind: "anpr-sightings", subject: "s", window: TimeWindow(start: 0, end: 1), readings: n, policy: "p", basis: "b")
        }
        #expect(dropped == 1)
        #expect(try store.anpr.sightings(in: TimeWindow(start: Int64.min, end: Int64.max)).map(\.camera) == ["veerhaven"])
        #expect(try store.retention.destructionLog().map(\.readings) == [1])
    }

    /// A hold of each kind is listed with its kind; a hold needs a reason.
    @Test(arguments: Backend.allCases)
    func everyKindIsStored(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        for kind in LegalHold.Kind.allCases {
            try store.retention.addHold(kind: kind, subject: "s-\(kind.rawValue)", window: TimeWindow(start: 0, end: 1), reason: "r")
        }
        #expect(try store.retention.holds().map(\.kind) == LegalHold.Kind.allCases)
        #expect(throws: StoreError.self) { try store.retention.addHold(kind: .wijk, subject: "WK1", window: TimeWindow(start: 0, end: 1), reason: " ") }
    }
}
