import Foundation
import LantaarnModel
import Pipelines
import Store
import Testing

/// 10,000 synthetic trips between two cameras give the expected travel-time distribution, and
/// no plate or pseudonym is left in the data directory afterwards.
struct TravelTimeTests {
    @Test func distributionAndNothingLeftBehind() throws {
        let dir = NSTemporaryDirectory() + "lantaarn-anpr-\(UUID().uuidString.prefix(8))"
        let store = try SQLiteStore(dataDirectory: dir)
        let keyring = try PseudonymKeyring(directory: dir + "/keys")
        var rng = SplitMix64(seed: 42)
        func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        let start = ISO8601.parse("2026-11-16T06:00:00+01:00")!
        var events: [TravelTimeStage.Event] = [], plates: [String] = []
        for i in 0..<10_000 {
            let letters = Array("BDFGHJKLNPRSTVXZ")
            let plate = "\(letters[i % 16])\(letters[(i / 16) % 16])-\(100 + i % 900)-\(letters[(i / 7) % 16])\(i / 900)"
            plates.append(plate)
            let departure = start + Int64(unit() * 12 * 3_600_000)
            let travel = Int64((20 + unit() * 10) * 60_000)   // 20 to 30 minutes, uniform
            events.append(.init(camera: "veerhaven", timestamp: departure, plate: plate))
            events.append(.init(camera: "rotonde-n250", timestamp: departure + travel, plate: plate))
        }
        for i in 0..<500 { events.append(.init(camera: "veerhaven", timestamp: start + Int64(i) * 60_000, plate: "ZZ-\(i)-ZZ")) }   // never arrive
        let stage = TravelTimeStage(routes: [.init(from: "veerhaven", to: "rotonde-n250")])
        let rows = try stage.run(events, keyring: keyring)
        let trips = rows.compactMap(\.trips).reduce(0, +)
        #expect(trips == 10_000 && rows.count == 12 && rows.allSatisfy { !$0.suppressed })
        for row in rows {
            #expect(abs(row.p50! - 25) < 1.0 && abs(row.p10! - 21) < 1.0 && abs(row.p90! - 29) < 1.0, "\(row)")
        }
        // Too few trips in an hour: suppressed and marked.
        let few = try stage.run(Array(events.prefix(6)), keyring: keyring)
        #expect(few.allSatisfy { $0.suppressed && $0.trips == nil })

        // Publish the distributions, as the pipeline does, then search the data directory.
        try store.register(DatasetMetadata(name: "reistijden", title: "t", description: "d", pipeline: "p", license: "CC0-1.0", retention: "1y",
                                           columns: [ColumnSpec(name: "uur", type: .timestamp, description: ""), ColumnSpec(name: "p50", type: .number, description: "")]))
        try store.publish(ReleaseDraft(dataset: "reistijden", window: TimeWindow(start: start, end: start + 12 * 3_600_000),
                                       rows: rows.map { [.text(ISO8601.format(milliseconds: $0.hourStart)), .number($0.p50!)] }, rowsIn: trips, lineage: .null))
        let pseudonyms = try stride(from: 0, to: 10_000, by: 97).map { try keyring.pseudonym(plates[$0], at: start) }
        var haystack: [UInt8] = []
        for name in FileManager.default.enumerator(atPath: dir)!.compactMap({ $0 as? String }) {
            if let data = FileManager.default.contents(atPath: dir + "/" + name) { haystack += data }
        }
        #expect(haystack.count > 10_000, "the search reads the store")
        let text = String(decoding: haystack, as: UTF8.self)
        for p in stride(from: 0, to: 10_000, by: 97).map({ plates[$0] }) + pseudonyms {
            #expect(!text.contains(p), "\(p) left in the data directory")
        }
        // The key file is private.
        let keys = try FileManager.default.contentsOfDirectory(atPath: dir + "/keys")
        #expect(keys.count == 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/keys/" + keys[0])
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    /// Pseudonyms are stable within a week, different across weeks, and a week's key is
    /// destroyed (and logged) once the week and its retention have passed.
    @Test func keysPerWeekAndTheirDestruction() throws {
        let dir = NSTemporaryDirectory() + "lantaarn-keys-\(UUID().uuidString.prefix(8))"
        let keyring = try PseudonymKeyring(directory: dir)
        let monday = ISO8601.parse("2026-11-16T09:00:00+01:00")!, friday = ISO8601.parse("2026-11-20T09:00:00+01:00")!
        let nextWeek = ISO8601.parse("2026-11-23T09:00:00+01:00")!
        #expect(try keyring.pseudonym("AB-123-C", at: monday) == keyring.pseudonym("AB-123-C", at: friday))
        #expect(try keyring.pseudonym("AB-123-C", at: monday) != keyring.pseudonym("AB-123-C", at: nextWeek))
        #expect(try keyring.pseudonym("AB-123-C", at: monday).count == 32)
        let retention = RetentionPolicy(keep: "1d", basis: "pseudonymen alleen voor het koppelen")!
        #expect(try keyring.destroyExpired(now: ISO8601.parse("2026-11-23T12:00:00+01:00")!, retention: retention).isEmpty)
        let destroyed = try keyring.destroyExpired(now: ISO8601.parse("2026-11-24T12:00:00+01:00")!, retention: retention)
        #expect(destroyed.map(\.kind) == ["pseudonym-key"] && destroyed[0].subject == "week of 2026-11-16")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).count == 1, "next week's key stays")
    }
}
