import Foundation
import LantaarnModel
import Store
import Testing

/// `AnprStore` and `LegalHoldStore` on every backend.
struct AnprAndHoldConformanceTests {
    static let hour: Int64 = 3_600_000
    static let base: Int64 = 1_764_547_200_000   // 2025-12-01T00:00Z

    @Test(arguments: Backend.allCases)
    func sightingsAreKeptUntilDroppedExceptUnderAHold(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let sightings = (0..<2_400).map { (k: Int) -> AnprSighting in
            let camera = k % 2 == 0 ? "cam-a" : "cam-b"
            let next: String? = k % 100 == 0 ? "next-\(k)" : nil
            return AnprSighting(camera: camera, timestamp: Self.base + Int64(k / 2) * 60_000, pseudonym: String(format: "%064x", k),
                                nextPseudonym: next)
        }
        #expect(try store.anpr.appendSightings(sightings) == sightings.count)
        let window = TimeWindow(start: Self.base + Self.hour, end: Self.base + 2 * Self.hour)
        let inWindow = try store.anpr.sightings(in: window)
        #expect(inWindow == sightings.filter { window.contains($0.timestamp) })   // oldest first, arrival order within a minute
        #expect(try store.anpr.sightingsDroppedBefore() == nil)

        // A hold on camera b for the first hour keeps its sightings; the drop is logged with its count.
        let hold = try store.retention.addHold(kind: .sensor, subject: "cam-b", window: TimeWindow(start: Self.base, end: Self.base + Self.hour),
                                           reason: "Wob-verzoek 2025-17")
        let cutoff = Self.base + 10 * Self.hour
        let dropped = try store.anpr.dropSightings(before: cutoff) { n in
            DestructionRecord(destroyedAt: cutoff, kind: "anpr-sightings", subject: "all cameras",
                              window: TimeWindow(start: Self.base, end: cutoff), readings: n, policy: "after matching", basis: "test")
        }
        #expect(dropped == 1_200 - 60)
        let left = try store.anpr.sightings(in: TimeWindow(start: 0, end: Int64.max / 2))
        #expect(left.count == sightings.count - dropped)
        #expect(left.filter { $0.timestamp < cutoff }.allSatisfy { $0.camera == "cam-b" && $0.timestamp < Self.base + Self.hour })
        #expect(try store.retention.destructionLog().map(\.readings) == [dropped])
        #expect(try store.anpr.sightingsDroppedBefore() == cutoff)
        // The watermark never goes back.
        _ = try store.anpr.dropSightings(before: Self.base)
        #expect(try store.anpr.sightingsDroppedBefore() == cutoff)
        try store.retention.removeHold(id: hold)
        #expect(try store.retention.holds().isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func holdsNeedAReasonAndAnExistingID(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        #expect { try store.retention.addHold(kind: .wijk, subject: "WK0363AD", window: TimeWindow(start: 0, end: 1), reason: "  ") }
            throws: { "\($0)".contains("needs a reason") }
        let id = try store.retention.addHold(kind: .wijk, subject: "WK0363AD", window: TimeWindow(start: 0, end: 10), reason: "bezwaar 12")
        let held = try #require(try store.retention.holds().first)
        #expect(held.id == id && held.kind == .wijk && held.subject == "WK0363AD" && held.window == TimeWindow(start: 0, end: 10)
                    && held.reason == "bezwaar 12")
        #expect { try store.retention.removeHold(id: id + 100) } throws: { "\($0)".contains("no legal hold with id \(id + 100)") }
        let records = [DestructionRecord(destroyedAt: 5, kind: "ingest-log", subject: "segment 7", window: TimeWindow(start: 1, end: 2),
                                         readings: 42, policy: "keep 30d", basis: "AVG art. 5(1)(e)")]
        try store.retention.recordDestruction(records)
        #expect(try store.retention.destructionLog() == records)
    }
}
