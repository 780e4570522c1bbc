import Foundation
import LantaarnModel
import Store
import TestSupport
import Testing

/// `ReadingStore` on every backend: the commit of a batch, duplicates and conflicts, sealing,
/// backfill into sealed chunks in any order, scans, quarantine replay and loaded files.
struct ReadingStoreConformanceTests {
    static let day: Int64 = 86_400_000
    static let base = SyntheticReadings.base

    static func reading(_ sensor: String, _ q: String, _ ts: Int64, _ v: Double, _ wijk: String? = "WK039201") -> Reading {
        Reading(series: SeriesKey(sensorID: sensor, quantity: q), timestamp: ts, value: v, wijk: wijk.flatMap(WijkCode.init))
    }

    static func days(_ range: Range<Int>) -> [Reading] { SyntheticReadings.days(range) }

    static func load(_ store: any ReadingStore, _ readings: [Reading], batch: Int = 20_000) throws -> AppendResult {
        var total = AppendResult()
        for (i, start) in stride(from: 0, to: readings.count, by: batch).enumerated() {
            let r = try store.append(IngestBatch(readings: Array(readings[start..<min(start + batch, readings.count)]), quarantined: [],
                                                 source: "t", offset: Int64(i + 1)))
            total.stored += r.stored; total.backfilled += r.backfilled; total.duplicates += r.duplicates; total.conflicts += r.conflicts
        }
        return total
    }

    static func scan(_ store: any ReadingStore, _ quantities: Set<String>, _ window: TimeWindow) throws -> [Reading] {
        var out: [Reading] = []
        try store.scan(quantities: quantities, window: window) { out.append($0) }
        return out
    }

    @Test(arguments: Backend.allCases)
    func appendCommitsReadingsQuarantineAndOffsetTogether(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        #expect(try store.readings.committedOffset(source: "mqtt") == 0)
        let bad = QuarantineEntry(receivedAt: 5, source: "mqtt", origin: "t", sensorID: "s", reason: "why", payload: [1, 2])
        try store.readings.append(IngestBatch(readings: [Self.reading("s", "pm25", 2000, 1.5), Self.reading("s", "pm25", 1000, 2.5, nil)],
                                              quarantined: [bad], source: "mqtt", offset: 123))
        #expect(try store.readings.committedOffset(source: "mqtt") == 123)
        #expect(try store.readings.committedOffset(source: "node-2/mqtt") == 0)
        #expect(try store.readings.readingCount() == 2)
        var stored = bad
        stored.id = 1
        #expect(try store.readings.quarantine(limit: 10) == [stored])
        let seen = try Self.scan(store.readings, ["pm25"], TimeWindow(start: 0, end: 10_000))
        #expect(seen.map(\.timestamp) == [1000, 2000])   // time order, not arrival order
        #expect(seen[0].wijk == nil && seen[1].wijk?.rawValue == "WK039201")
        #expect(try Self.scan(store.readings, ["pm10"], TimeWindow(start: 0, end: 10_000)).isEmpty)
    }

    /// Duplicates are counted, not stored; a conflict keeps the stored value and quarantines the
    /// other with both values; both in the open buffer, in sealed chunks and within one batch.
    @Test(arguments: Backend.allCases)
    func duplicatesAndConflicts(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend, policy: ChunkPolicy(span: Self.day, lateness: 0))
        defer { store.close() }
        let first = (0..<10).map { Self.reading("s", "pm25", Self.base + Int64($0) * 60_000, Double($0)) }
        #expect(try store.readings.append(IngestBatch(readings: first, quarantined: [], source: "t", offset: 1)).stored == 10)
        // Open buffer: one equal, one conflicting, one new; and a duplicate inside the batch.
        let second = [Self.reading("s", "pm25", Self.base, 0), Self.reading("s", "pm25", Self.base + 60_000, 7.5),
                      Self.reading("s", "pm25", Self.base + 30_000, 0.5), Self.reading("s", "pm25", Self.base + 30_000, 0.5)]
        let r2 = try store.readings.append(IngestBatch(readings: second, quarantined: [], source: "t", offset: 2))
        #expect(r2 == AppendResult(stored: 1, duplicates: 2, conflicts: 1, conflictsBySensor: ["s": 1]))
        let conflict = try #require(try store.readings.quarantine(limit: 1).first)
        #expect(conflict.sensorID == "s" && conflict.reason.contains("7.5"))
        // The next day seals the first: the same checks against a sealed chunk.
        try store.readings.append(IngestBatch(readings: [Self.reading("s", "pm25", Self.base + Self.day + 1, 1)], quarantined: [],
                                              source: "t", offset: 3))
        let third = [Self.reading("s", "pm25", Self.base + 2 * 60_000, 2), Self.reading("s", "pm25", Self.base + 3 * 60_000, 9),
                     Self.reading("s", "pm25", Self.base + 90_000, 1.5)]
        let r3 = try store.readings.append(IngestBatch(readings: third, quarantined: [], source: "t", offset: 4))
        #expect(r3 == AppendResult(stored: 1, backfilled: 1, duplicates: 1, conflicts: 1, conflictsBySensor: ["s": 1]))
        let values = try Self.scan(store.readings, ["pm25"], TimeWindow(start: Self.base, end: Self.base + Self.day)).map(\.value)
        #expect(values == [0, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(try store.readings.readingCount() == 13)
    }

    /// The last ten days first (live), then the first twenty: all of them backfill, and the
    /// store holds what an in-order load holds.
    @Test(arguments: Backend.allCases)
    func newestFirstIsStoredWhole(_ backend: Backend) throws {
        let inOrder = try StoreUnderTest(backend), reversed = try StoreUnderTest(backend)
        defer { inOrder.close(); reversed.close() }
        let all = Self.days(0..<30)
        #expect(try Self.load(inOrder.readings, all).stored == all.count)
        let recent = Self.days(20..<30), old = Self.days(0..<20)
        #expect(try Self.load(reversed.readings, recent).backfilled == 0)
        let backfill = try Self.load(reversed.readings, old)
        #expect(backfill.stored == old.count && backfill.backfilled == old.count && backfill.conflicts == 0)
        #expect(try reversed.readings.quarantine(limit: 1).isEmpty)
        #expect(try reversed.readings.readingCount() == all.count)

        let month = TimeWindow(start: Self.base, end: Self.base + 30 * Self.day)
        #expect(try Self.scan(reversed.readings, ["pm25", "pm10"], month) == Self.scan(inOrder.readings, ["pm25", "pm10"], month))
        let query = AggregateQuery(quantities: ["pm25", "pm10"], window: month, bucket: Self.day)
        #expect(try reversed.readings.aggregate(query) == inOrder.readings.aggregate(query))

        // A half day loaded again into sealed days: every reading a duplicate.
        let overlap = Array(Self.days(4..<5).prefix(1000))
        #expect(try Self.load(reversed.readings, overlap) == AppendResult(duplicates: overlap.count))
        #expect(try reversed.readings.readingCount() == all.count)
    }

    /// Readings missing from a sealed day (every other one) merge into its chunk.
    @Test(arguments: Backend.allCases)
    func gapsInASealedDayAreFilled(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let days = Self.days(0..<3)
        let (even, odd) = (days.enumerated().filter { ($0.offset / 4) % 2 == 0 }.map(\.element),
                           days.enumerated().filter { ($0.offset / 4) % 2 == 1 }.map(\.element))
        _ = try Self.load(store.readings, even)
        let missing = odd.filter { $0.timestamp < Self.base + 2 * Self.day }
        let filled = try Self.load(store.readings, missing, batch: 700)
        #expect(filled.backfilled == missing.count, "days 1 and 2 are sealed (the third is open)")
        let sum = try Self.scan(store.readings, ["pm25"], TimeWindow(start: Self.base, end: Self.base + Self.day)).reduce(0) { $0 + $1.value }
        let expected = days.filter { $0.series.quantity == "pm25" && $0.timestamp < Self.base + Self.day }.reduce(0) { $0 + $1.value }
        #expect(abs(sum - expected) < 1e-6)
    }

    /// Wall-clock sealing moves a silent series' buffer into chunks; nothing is lost or doubled.
    @Test(arguments: Backend.allCases)
    func sealExpiredSealsSilentSeries(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend, policy: ChunkPolicy(span: TimeBucket.hour, lateness: 10 * 60_000))
        defer { store.close() }
        let readings = (0..<30).map { Self.reading("quiet", "noise", Self.base + Int64($0) * 60_000, 40 + Double($0) / 4) }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        #expect(try store.readings.sealExpired(now: Self.base + 65 * 60_000) == 0, "not yet: lateness")
        #expect(try store.readings.sealExpired(now: Self.base + 75 * 60_000) == 30)
        #expect(try store.readings.sealExpired(now: Self.base + 75 * 60_000) == 0)
        #expect(try Self.scan(store.readings, ["noise"], TimeWindow(start: Self.base, end: Self.base + TimeBucket.hour)) == readings)
        // A late reading for the sealed hour is backfilled, not refused.
        let late = Self.reading("quiet", "noise", Self.base + 45 * 60_000, 12)
        #expect(try store.readings.append(IngestBatch(readings: [late], quarantined: [], source: "t", offset: 2)).backfilled == 1)
        #expect(try store.readings.readingCount() == 31)
    }

    @Test(arguments: Backend.allCases)
    func quarantineReplayStoresWhatNowPasses(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let entries = (0..<3).map { k in
            QuarantineEntry(receivedAt: Int64(k), source: "file", origin: "archive.csv", sensorID: "s\(k)", reason: "unknown sensor",
                            payload: Array("row \(k)".utf8), value: k == 2 ? .init(field: "P1", timestamp: 77) : nil)
        }
        try store.readings.append(IngestBatch(readings: [], quarantined: entries, source: "file", offset: 3))
        let after = try store.readings.quarantine(after: 0, limit: 10)
        #expect(after.map(\.sensorID) == ["s0", "s1", "s2"] && after[2].value == .init(field: "P1", timestamp: 77))
        #expect(try store.readings.quarantine(limit: 2).map(\.sensorID) == ["s2", "s1"])
        let first = try #require(after.first?.id)
        #expect(try store.readings.quarantineEntry(id: first)?.payload == Array("row 0".utf8))
        let still = QuarantineEntry(receivedAt: 9, source: "file", origin: "archive.csv", sensorID: "s0", reason: "value out of range",
                                    payload: Array("row 0".utf8))
        let replayed = try store.readings.replayQuarantine(id: first, readings: [Self.reading("s0", "pm25", 1_000, 3)], quarantined: [still])
        #expect(replayed.stored == 1)
        #expect(try store.readings.quarantineEntry(id: first) == nil)
        #expect(try store.readings.quarantine(limit: 10).map(\.reason).contains("value out of range"))
        #expect(throws: (any Error).self) { try store.readings.replayQuarantine(id: first, readings: [], quarantined: []) }
        #expect(try store.readings.readingCount() == 1)
    }

    @Test(arguments: Backend.allCases)
    func loadedFilesAreRemembered(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let sha = String(repeating: "ab", count: 32)
        #expect(try store.readings.ingestedFile(sha256: sha) == nil)
        var file = IngestedFile(sha256: sha, name: "2025-01-01_sds011.csv", bytes: 12_345, rows: 576, readings: 1152, quarantined: 0, completedAt: 99)
        try store.readings.recordIngestedFile(file)
        #expect(try store.readings.ingestedFile(sha256: sha) == file)
        file.completedAt = 100
        try store.readings.recordIngestedFile(file)
        #expect(try store.readings.ingestedFile(sha256: sha) == file)
    }
}
