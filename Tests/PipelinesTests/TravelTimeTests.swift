import Foundation
import Geo
import LantaarnModel
import Pipelines
import Store
import Testing

/// 10,000 synthetic trips between two cameras, loaded from a CSV export through the ANPR
/// intake and run through the repository's travel-time pipeline, give the expected
/// travel-time distribution, and no plate or pseudonym is left in the data directory afterwards.
struct TravelTimeTests {
    /// The bytes of every file under `data`, as text, to search for plates and pseudonyms.
    static func everyFile(in data: String) -> String {
        var haystack: [UInt8] = []
        for name in FileManager.default.enumerator(atPath: data)!.compactMap({ $0 as? String }) {
            if let bytes = FileManager.default.contents(atPath: data + "/" + name) { haystack += bytes }
        }
        return String(decoding: haystack, as: UTF8.self)
    }

    @Test func distributionAndNothingLeftBehind() throws {
        let dir = NSTemporaryDirectory() + "lantaarn-anpr-\(UUID().uuidString.prefix(8))"
        let data = dir + "/data"
        let store = try SQLiteStore(dataDirectory: data)
        let keyring = try PseudonymKeyring(directory: data + "/keys")
        let catalog = try PipelineCatalog(directory: repoRoot + "/Pipelines")
        let pipeline = try #require(catalog.pipeline(named: "reistijden-veerhaven-uur"))
        var rng = SplitMix64(seed: 42)
        func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        let start = ISO8601.parse("2026-11-16T06:00:00+01:00")!
        var csv = "camera,tijd,kenteken\n", plates: [String] = []
        for i in 0..<10_000 {
            let letters = Array("BDFGHJKLNPRSTVXZ")
            let plate = "\(letters[i % 16])\(letters[(i / 16) % 16])-\(100 + i % 900)-\(letters[(i / 7) % 16])\(i / 900)"
            plates.append(plate)
            let departure = start + Int64(unit() * 12 * 3_600_000)
            let travel = Int64((20 + unit() * 10) * 60_000)   // 20 to 30 minutes, uniform
            csv += "veerhaven,\(ISO8601.format(milliseconds: departure)),\(plate)\n"
            csv += "n250-rotonde,\(departure + travel),\(plate.lowercased())\n"   // epoch ms; plates compared without case
        }
        for i in 0..<500 { csv += "veerhaven,\(start + Int64(i) * 60_000),ZZ-\(i)-ZZ\n" }   // never arrive
        csv += "veerhaven,gisteren,XX-99-XX\n"   // a broken line: reported by number, never echoed
        try FileManager.default.createDirectory(atPath: dir + "/export", withIntermediateDirectories: true)
        try csv.write(toFile: dir + "/export/anpr.csv", atomically: true, encoding: .utf8)

        let report = try AnprIntake(store: store.anpr, keyring: keyring, pipelines: catalog).ingest(path: dir + "/export/anpr.csv")
        #expect(report.stored == 20_500 && report.rejected.map(\.line) == [20_502])
        #expect(!report.description.contains("XX-99-XX") && !report.description.contains("gisteren"))
        try FileManager.default.removeItem(atPath: dir + "/export")   // the export is the camera operator's, not ours

        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: BoundaryCatalog([]), logger: .init(label: "t"))
        // One hour more than the departures, so the last arrivals are matched and dropped too.
        let range = TimeWindow(start: start, end: start + 13 * 3_600_000)
        let results = try runner.run(pipeline, over: range)
        #expect(results.count == 13)
        let rows = try store.releases.rows(dataset: pipeline.output.dataset, after: nil, limit: 1000).rows
        let trips = rows.compactMap { if case .integer(let n) = $0[4] { Int(n) } else { nil } }.reduce(0, +)
        #expect(trips == 10_000 && rows.count == 12 && rows.allSatisfy { $0[0] == .text("veerhaven") && $0[8] == .text("nee") })
        for row in rows {
            // Whole numbers read back as integers.
            let minutes = row[5...7].compactMap { cell -> Double? in
                switch cell { case .number(let v): v; case .integer(let v): Double(v); default: nil }
            }
            guard minutes.count == 3 else { Issue.record("\(row)"); continue }
            let (p10, p50, p90) = (minutes[0], minutes[1], minutes[2])
            #expect(abs(p50 - 25) < 1.0 && abs(p10 - 21) < 1.0 && abs(p90 - 29) < 1.0, "\(row)")
        }
        // Matched and dropped: nothing is left to match, and the windows cannot be recomputed.
        #expect(try store.anpr.sightings(in: TimeWindow(start: Int64.min, end: Int64.max)).isEmpty)
        #expect(try runner.run(pipeline, over: range).isEmpty)
        #expect(try store.releases.rows(dataset: pipeline.output.dataset, after: nil, limit: 1000).rows == rows, "the release stands")

        // Too few trips in an hour: suppressed and marked.
        let stage = TravelTimeStage(routes: [.init(from: "veerhaven", to: "n250-rotonde")])
        let few = try stage.run([.init(camera: "veerhaven", timestamp: start, plate: "AB-12-CD"),
                                 .init(camera: "n250-rotonde", timestamp: start + 600_000, plate: "AB-12-CD")], keyring: keyring)
        #expect(few.count == 1 && few.allSatisfy { $0.suppressed && $0.trips == nil })

        // Search every file in the data directory for plates (as written and as compared) and pseudonyms.
        let sample = stride(from: 0, to: 10_000, by: 97).map { plates[$0] }
        let normalised = sample.map { $0.replacingOccurrences(of: "-", with: "") }
        let pseudonyms = try normalised.map { try keyring.pseudonym($0, at: start) }
        let text = Self.everyFile(in: data)
        #expect(text.utf8.count > 10_000, "the search reads the store")
        for p in sample + normalised + pseudonyms {
            #expect(!text.contains(p), "\(p) left in the data directory")
        }
        // The key file is private.
        let keys = try FileManager.default.contentsOfDirectory(atPath: data + "/keys")
        #expect(keys.count == 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: data + "/keys/" + keys[0])
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    /// 1,000 trips that start before Monday 00:00 and end after it, across the weekly key
    /// change: the intake pseudonymises departures in the last 30 minutes (the pipeline's
    /// max_travel) under both weeks' keys, so every trip is matched; afterwards neither
    /// pseudonym nor the plate is anywhere in the data directory.
    @Test func tripsAcrossTheKeyChangeAreMatched() throws {
        let dir = NSTemporaryDirectory() + "lantaarn-anpr-monday-\(UUID().uuidString.prefix(8))"
        let data = dir + "/data"
        let store = try SQLiteStore(dataDirectory: data)
        let keyring = try PseudonymKeyring(directory: data + "/keys")
        let catalog = try PipelineCatalog(directory: repoRoot + "/Pipelines")
        let pipeline = try #require(catalog.pipeline(named: "reistijden-veerhaven-uur"))
        var rng = SplitMix64(seed: 7)
        func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        let monday = ISO8601.parse("2026-11-23T00:00:00+01:00")!
        var csv = "camera,tijd,kenteken\n", plates: [String] = []
        for i in 0..<1000 {
            let plate = "KC-\(100 + i)-M"
            plates.append(plate)
            let departure = monday - Int64((1 + unit() * 18) * 60_000)   // 1 to 19 minutes before Monday 00:00
            let travel = Int64((20 + unit() * 9) * 60_000)              // 20 to 29 minutes: arrives after it
            csv += "veerhaven,\(departure),\(plate)\nn250-rotonde,\(departure + travel),\(plate)\n"
        }
        try FileManager.default.createDirectory(atPath: dir + "/export", withIntermediateDirectories: true)
        try csv.write(toFile: dir + "/export/anpr.csv", atomically: true, encoding: .utf8)
        let report = try AnprIntake(store: store.anpr, keyring: keyring, pipelines: catalog).ingest(path: dir + "/export/anpr.csv")
        #expect(report.stored == 2000)
        try FileManager.default.removeItem(atPath: dir + "/export")
        let stored = try store.anpr.sightings(in: TimeWindow(start: Int64.min, end: Int64.max))
        #expect(stored.filter { $0.timestamp < monday }.allSatisfy { $0.nextPseudonym != nil && $0.nextPseudonym != $0.pseudonym })
        #expect(stored.filter { $0.timestamp >= monday }.allSatisfy { $0.nextPseudonym == nil })

        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: BoundaryCatalog([]), logger: .init(label: "t"))
        _ = try runner.run(pipeline, over: TimeWindow(start: monday - 3_600_000, end: monday + 3_600_000))
        let rows = try store.releases.rows(dataset: pipeline.output.dataset, after: nil, limit: 100).rows
        let trips = rows.compactMap { if case .integer(let n) = $0[4] { Int(n) } else { nil } }.reduce(0, +)
        #expect(trips == 1000, "\(rows)")
        #expect(try store.anpr.sightings(in: TimeWindow(start: Int64.min, end: Int64.max)).isEmpty)

        let normalised = plates.map { $0.replacingOccurrences(of: "-", with: "") }
        let before = try normalised.map { try keyring.pseudonym($0, at: monday - 1) }
        let after = try normalised.map { try keyring.pseudonym($0, at: monday + 1) }
        let text = Self.everyFile(in: data)
        let left = (plates + normalised + before + after).filter { text.contains($0) }
        #expect(left.isEmpty, "\(left.count) plates or pseudonyms left, e.g. \(left.prefix(3))")
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
