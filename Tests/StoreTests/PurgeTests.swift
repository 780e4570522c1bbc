import Foundation
import GRDB
import LantaarnModel
@testable import Store
import Testing

struct PurgeTests {
    static let day: Int64 = 86_400_000
    static let now = ISO8601.parse("2026-11-22T12:00:00Z")!
    static let canarySensor = "CANARY-SENSOR-7f3a9"
    static let canaryValue = 4242.4242

    func reading(_ sensor: String, _ ts: Int64, _ v: Double) -> Reading {
        Reading(series: SeriesKey(sensorID: sensor, quantity: "pm25"), timestamp: ts, value: v, wijk: WijkCode("WK039201"))
    }

    func policies(keepDays: Int) -> RetentionPolicies {
        RetentionPolicies(readings: RetentionPolicy(keep: "\(keepDays)d", basis: "Selectielijst 2020, categorie 1.1")!, datasets: [:])
    }

    /// Bytes of the database and its WAL, to look for destroyed values (SQLite stores REAL big-endian).
    func fileBytes(_ store: SQLiteStore) -> Data {
        var data = FileManager.default.contents(atPath: store.path) ?? Data()
        data.append(FileManager.default.contents(atPath: store.path + "-wal") ?? Data())
        return data
    }

    func contains(_ haystack: Data, _ needle: [UInt8]) -> Bool { haystack.range(of: Data(needle)) != nil }

    /// Whether `value` is in `haystack` as SQLite stores a REAL (big-endian) or as the open
    /// buffer's packed runs do (little-endian).
    func contains(_ haystack: Data, value: Double) -> Bool {
        contains(haystack, withUnsafeBytes(of: value.bitPattern.bigEndian, Array.init))
            || contains(haystack, withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init))
    }

    @Test func destroyedValuesLeaveNoTraceAndHeldRangesSurvive() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("purge"), policy: ChunkPolicy(span: Self.day, lateness: 0))
        let old = TimeBucket.floor(Self.now - 30 * Self.day, size: Self.day)   // chunks are day-aligned; holds keep whole chunks
        // The canary sensor's only readings are old; they sit in the open buffer (the series never sealed).
        var readings = (0..<50).map { reading(Self.canarySensor, old + Int64($0) * 60_000, Self.canaryValue) }
        // A second sensor has 30 days of data, sealed in daily chunks; day 2 is under a legal hold.
        readings += (0..<(30 * 24)).map { reading("keep-me", old + Int64($0) * 3_600_000, Double($0 % 50)) }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        let before = fileBytes(store)
        #expect(contains(before, value: Self.canaryValue))

        let held = TimeWindow(start: old + 2 * Self.day, end: old + 3 * Self.day)
        try store.retention.addHold(kind: .sensor, subject: "keep-me", window: held, reason: "WOO-verzoek 2026-118")

        let dry = try store.retention.purge(policies(keepDays: 7), now: Self.now, dryRun: true)
        #expect(dry.total > 0)
        #expect(try store.readings.readingCount() == readings.count, "a dry run destroys nothing")
        #expect(try store.retention.destructionLog().isEmpty)

        let report = try store.retention.purge(policies(keepDays: 7), now: Self.now, dryRun: false)
        #expect(report.total == dry.total)
        #expect(report.held.count == 1 && report.held[0].readings == 24)
        let log = try store.retention.destructionLog()
        #expect(log.map(\.subject) == ["\(Self.canarySensor)/pm25", "keep-me/pm25"])
        #expect(log.allSatisfy { $0.basis == "Selectielijst 2020, categorie 1.1" && $0.policy == "keep 7d" })
        #expect(log[0].readings == 50)

        // The held day is still there; everything else older than 7 days is gone.
        var remaining: [Int64] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Self.now)) { remaining.append($0.timestamp) }
        #expect(remaining.filter { held.contains($0) }.count == 24)
        #expect(remaining.filter { $0 < Self.now - 8 * Self.day && !held.contains($0) }.isEmpty)

        let after = fileBytes(store)
        // The sensor id stays only where it must: in the destruction log, saying what was destroyed.
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM series WHERE sensor_id = ?", arguments: [Self.canarySensor]) } == 0)
        #expect(!contains(after, value: Self.canaryValue),
                "the destroyed value is still in the database file")
        #expect(try store.integrityCheck() == ["ok"])
    }

    /// Quarantined raw input may hold what a sensor should never have sent; it goes with the
    /// raw-input retention, is logged, and leaves no bytes behind.
    @Test func quarantinedRawInputExpiresAndLeavesNoTrace() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("purge-quarantine"))
        func entry(_ at: Int64, _ payload: String) -> QuarantineEntry {
            QuarantineEntry(receivedAt: at, source: "mqtt", origin: "lantaarn/sensors/x/readings", sensorID: "x",
                            reason: "unknown field 'operator'", payload: Array(payload.utf8))
        }
        try store.readings.append(IngestBatch(readings: [], quarantined: [
            entry(Self.now - 10 * Self.day, #"{"operator":"kanarie-oud@example.org"}"#),
            entry(Self.now - 1 * Self.day, #"{"operator":"recent"}"#),
        ], source: "mqtt", offset: 1))
        var policies = policies(keepDays: 3650)
        policies.quarantine = RetentionPolicy(keep: "7d", basis: "technical buffer")!
        let report = try store.retention.purge(policies, now: Self.now, dryRun: false)
        #expect(report.destroyed.map(\.subject) == ["quarantine/mqtt"] && report.destroyed[0].readings == 1)
        #expect(try store.readings.quarantine(limit: 10).map { String(decoding: $0.payload, as: UTF8.self) } == [#"{"operator":"recent"}"#])
        #expect(!contains(fileBytes(store), Array("kanarie-oud".utf8)), "the destroyed payload is still in the database file")
        #expect(try store.retention.destructionLog().map(\.kind) == ["quarantine"])
    }

    @Test func destructionLogIsAppendOnly() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("log"))
        try store.retention.recordDestruction([DestructionRecord(destroyedAt: 1, kind: "ingest-log", subject: "mqtt", window: TimeWindow(start: 0, end: 1),
                                                       readings: 3, policy: "keep 7d", basis: "b")])
        #expect(throws: (any Error).self) { try store.pool.write { try $0.execute(sql: "DELETE FROM destruction_log") } }
        #expect(throws: (any Error).self) { try store.pool.write { try $0.execute(sql: "UPDATE destruction_log SET readings = 0") } }
        #expect(try store.retention.destructionLog().count == 1)
    }
}
