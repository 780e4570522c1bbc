import Foundation
import LantaarnModel
import Store
import Testing

/// `MeldingStore`, `MeldingArchive` and `AlertStore` on every backend.
struct MeldingStoreConformanceTests {
    static let day: Int64 = 86_400_000
    static let base: Int64 = 1_764_547_200_000   // 2025-12-01T00:00Z

    static func melding(_ id: String, day d: Int64, closedOnDay closed: Int64? = nil, wijk: String = "WK0363AD") -> Melding {
        var m = Melding(source: "signalen", sourceID: id, category: "Afval", createdAt: base + d * day)
        m.hoofdcategorie = "Afval"
        m.borMeld = 12
        (m.latitude, m.longitude, m.gemeente, m.wijk, m.buurt, m.channel) = (52.37, 4.9, "GM0363", wijk, "BU0363AD03", "web")
        m.scrubbedText = "Zak naast de container"
        m.history = [Melding.StatusChange(at: base + d * day, state: "m", closes: false)]
        if let closed { m.history.append(Melding.StatusChange(at: base + closed * day, state: "o", closes: true)) }
        return m
    }

    static func file(_ name: String, _ count: Int) -> MeldingFileRecord {
        MeldingFileRecord(sha256: String(repeating: name.first.map(String.init) ?? "x", count: 64), name: name, format: "signalen-csv",
                          meldingen: count, report: "\(count) meldingen", completedAt: base + 40 * day)
    }

    @Test(arguments: Backend.allCases)
    func filesAreStoredWholeAndReadBackByWindow(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let first = [Self.melding("1", day: 0, closedOnDay: 3), Self.melding("2", day: 2), Self.melding("3", day: 10, closedOnDay: 11)]
        let result = try store.meldingen.saveMeldingen(first.map { MeldingWrite($0) }, file: Self.file("a.csv", 3))
        #expect(result.inserted == 3 && result.updated == 0 && result.statusChanges == 5)
        #expect(try store.meldingen.meldingFile(sha256: Self.file("a.csv", 3).sha256) == Self.file("a.csv", 3))
        #expect(try store.meldingen.meldingFile(sha256: String(repeating: "f", count: 64)) == nil)
        #expect(try store.meldingen.meldingCreatedAt(source: "signalen", sourceID: "2") == Self.base + 2 * Self.day)

        // Read back whole, closed by the last status change, oldest first.
        let created = try store.meldingen.meldingen(createdIn: TimeWindow(start: Self.base, end: Self.base + 5 * Self.day))
        var expected = Array(first.prefix(2))
        expected[0].isOpen = false
        expected[0].closedAt = Self.base + 3 * Self.day
        #expect(created == expected)
        // Alive in days 4-5: the open one only; in days 2-3: both.
        #expect(try store.meldingen.meldingen(overlapping: TimeWindow(start: Self.base + 4 * Self.day, end: Self.base + 5 * Self.day)).map(\.sourceID) == ["2"])
        #expect(try store.meldingen.meldingen(overlapping: TimeWindow(start: Self.base + 2 * Self.day, end: Self.base + 3 * Self.day)).map(\.sourceID) == ["1", "2"])

        // A second file: a new status closes melding 2, a position update moves melding 3; known statuses are not stored twice.
        var two = Self.melding("2", day: 2, closedOnDay: 6)
        two.scrubbedText = nil   // kept from before
        var moved = Self.melding("3", day: 10, wijk: "WK036300")
        moved.history = []
        let second = try store.meldingen.saveMeldingen([MeldingWrite(two), MeldingWrite(moved, isUpdate: true)], file: Self.file("b.csv", 2))
        #expect(second.inserted == 0 && second.updated == 2 && second.statusChanges == 1)
        let all = try store.meldingen.meldingen(createdIn: TimeWindow(start: Self.base, end: Self.base + 30 * Self.day))
        #expect(all.map(\.isOpen) == [false, false, false])
        #expect(all[1].closedAt == Self.base + 6 * Self.day && all[1].scrubbedText == "Zak naast de container")
        #expect(all[2].wijk == "WK036300" && all[2].history.count == 2)

        // An update of a melding that is not stored fails the whole file: nothing of it is kept.
        #expect {
            try store.meldingen.saveMeldingen([MeldingWrite(Self.melding("4", day: 12)), MeldingWrite(Self.melding("99", day: 1), isUpdate: true)],
                                              file: Self.file("c.csv", 2))
        } throws: { "\($0)".contains("c.csv: item 1 updates signalen melding 99, which is not stored") }
        #expect(try store.meldingen.meldingCreatedAt(source: "signalen", sourceID: "4") == nil)
        #expect(try store.meldingen.meldingFile(sha256: Self.file("c.csv", 2).sha256) == nil)
    }

    @Test(arguments: Backend.allCases)
    func alertsAreRecordedOncePerWeekAndAcknowledgedOnce(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let week = Self.base
        let spike = MeldingAlert(weekStart: week, wijk: "WK0363AD", kind: .spike, categories: "Afval", observed: 40, expected: 12.5,
                                 tail: 0.001, createdAt: week + 1)
        try store.meldingen.recordAlerts([spike], weekStart: week)
        var again = spike
        again.observed = 44
        try store.meldingen.recordAlerts([again], weekStart: week)   // the same alert, recomputed
        let open = try store.meldingen.alerts(includeAcknowledged: false)
        #expect(open.count == 1 && open[0].observed == 44 && open[0].acknowledgedAt == nil)
        #expect(try store.meldingen.acknowledgeAlert(id: open[0].id, by: "wijkteam", note: "opgeruimd", at: week + 5))
        #expect(try !store.meldingen.acknowledgeAlert(id: open[0].id, by: "iemand", note: nil, at: week + 6))
        #expect(try store.meldingen.alerts(includeAcknowledged: false).isEmpty)
        let acknowledged = try #require(try store.meldingen.alerts(includeAcknowledged: true).first)
        #expect(acknowledged.acknowledgedBy == "wijkteam" && acknowledged.note == "opgeruimd" && acknowledged.acknowledgedAt == week + 5)
    }
}
