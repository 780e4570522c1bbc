import Foundation
import Geo
@testable import Ingest
import LantaarnModel
import Store
import Testing

/// `lantaarn ingest FILE`: the real Sensor.Community archive, bad rows, idempotency, resume.
struct FileIngestTests {
    static let archive = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/sensors/sensor_community_archive").standardizedFileURL.path

    static func registry() throws -> SensorRegistry {
        func q(_ unit: String, _ min: Double, _ max: Double, _ field: String) -> QuantitySpec {
            QuantitySpec(unit: unit, minimum: min, maximum: max, resolution: 0.01, field: field)
        }
        let pm = ["pm10": q("µg/m³", 0, 2000, "P1"), "pm25": q("µg/m³", 0, 1000, "P2")]
        let climate = ["temperature": q("°C", -40, 60, "temperature"), "humidity": q("%", 0, 100, "humidity")]
        let sensors = [
            Sensor(id: "sc-15092", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "a", kind: "lucht", quantities: pm, device: "15092"),
            Sensor(id: "sc-5331", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "b", kind: "lucht", quantities: pm, device: "5331"),
            Sensor(id: "sc-15093", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "c", kind: "klimaat",
                   quantities: climate.merging(["pressure": q("Pa", 80_000, 110_000, "pressure")]) { a, _ in a }, device: "15093"),
            Sensor(id: "sc-5332", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "d", kind: "klimaat", quantities: climate, device: "5332"),
        ]
        return SensorRegistry(sensors: sensors, boundaries: try DefaultBoundaries.haarlemWijken())
    }

    static func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".csv") }.sorted().map { archive + "/" + $0 }
    }

    /// Every value in the archive, counted independently of the ingester.
    static func expectedValues() throws -> Int {
        try files().reduce(0) { total, path in
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            let header = lines[0].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            let columns = ["P1", "P2", "temperature", "humidity", "pressure"].compactMap { header.firstIndex(of: $0) }
            return total + lines.dropFirst().reduce(0) { n, line in
                let cells = line.split(separator: ";", omittingEmptySubsequences: false)
                return n + columns.filter { $0 < cells.count && !cells[$0].isEmpty }.count
            }
        }
    }

    @Test func loadsTheRealArchiveOnceAndOnlyOnce() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("file-ingest"))
        let ingest = FileIngest(store: store.readings, validator: ReadingValidator(registry: try Self.registry()))
        var readings = 0, quarantined = 0
        for path in try Self.files() {
            let report = try ingest.ingest(path: path)
            #expect(report.format == "Sensor.Community CSV" && report.alreadyLoaded == nil)
            readings += report.readings
            quarantined += report.quarantined
        }
        #expect(quarantined == 0)
        #expect(readings == (try Self.expectedValues()))
        #expect(try store.readings.readingCount() == readings)
        // The same content again: skipped by its SHA-256, nothing stored twice.
        let again = try ingest.ingest(path: try Self.files()[0])
        #expect(again.alreadyLoaded != nil && again.readings == 0)
        #expect(try store.readings.readingCount() == readings)
    }

    /// Sums of P1 and P2 per day in a Sensor.Community file, independently of the ingester.
    static func sums(_ path: String) throws -> [String: (p1: Double, p2: Double, values: Int)] {
        var out: [String: (p1: Double, p2: Double, values: Int)] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            let day = String(cells[5].prefix(10))
            var s = out[day] ?? (0, 0, 0)
            if let p1 = Double(cells[6]) { s.p1 += p1; s.values += 1 }
            if let p2 = Double(cells[9]) { s.p2 += p2; s.values += 1 }
            out[day] = s
        }
        return out
    }

    /// Two days of the real archive loaded newest first: every row stored (the older day merged
    /// into sealed chunks), none quarantined, the per-day sums as in the files. A third file
    /// overlapping both loads as duplicates; a changed value is a conflict, quarantined with both.
    @Test func newestFirstThenOverlapping() throws {
        let dir = try scratchDirectory("file-backfill")
        let store = try SQLiteStore(dataDirectory: dir + "/db")
        let ingest = FileIngest(store: store.readings, validator: ReadingValidator(registry: try Self.registry()))
        let (day1, day2) = (Self.archive + "/2018-07-08_sds011_sensor_15092.csv", Self.archive + "/2018-07-09_sds011_sensor_15092.csv")
        let newer = try ingest.ingest(path: day2)
        let older = try ingest.ingest(path: day1)
        let expected = try Self.sums(day1).merging(try Self.sums(day2)) { a, _ in a }
        #expect(newer.quarantined == 0 && older.quarantined == 0)
        #expect(older.readings == expected["2018-07-08"]!.values && older.backfilled == older.readings, "the older day lands in sealed chunks")
        func stored(_ day: String) throws -> (p1: Double, p2: Double, values: Int) {
            let start = ISO8601.parse(day + "T00:00:00Z")!
            var s = (p1: 0.0, p2: 0.0, values: 0)
            try store.readings.scan(quantities: ["pm10", "pm25"], window: TimeWindow(start: start, end: start + 86_400_000)) { r in
                if r.series.quantity == "pm10" { s.p1 += r.value } else { s.p2 += r.value }
                s.values += 1
            }
            return s
        }
        for day in ["2018-07-08", "2018-07-09"] {
            let (got, want) = (try stored(day), expected[day]!)
            #expect(got.values == want.values && abs(got.p1 - want.p1) < 1e-6 && abs(got.p2 - want.p2) < 1e-6, "\(day): \(got) against \(want)")
        }
        // The second half of the first day and the first half of the second, as a third file.
        let lines1 = try String(contentsOfFile: day1, encoding: .utf8).split(separator: "\n")
        let lines2 = try String(contentsOfFile: day2, encoding: .utf8).split(separator: "\n")
        let overlap = [lines1[0]] + lines1.dropFirst(lines1.count / 2) + lines2.dropFirst().prefix(lines2.count / 2)
        let third = dir + "/overlap.csv"
        try overlap.joined(separator: "\n").write(toFile: third, atomically: true, encoding: .utf8)
        let again = try ingest.ingest(path: third)
        let overlapValues = try Self.sums(third).values.reduce(0) { $0 + $1.values }
        #expect(again.readings == 0 && again.quarantined == 0 && again.duplicates == overlapValues, "\(again)")
        #expect(try store.readings.readingCount() == expected.values.reduce(0) { $0 + $1.values })
        // One row with another P1 at a stored time: a conflict; the stored value stays.
        var cells = lines1[1].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let storedP1 = cells[6]
        cells[6] = "999.5"
        try ([String(lines1[0]), cells.joined(separator: ";")].joined(separator: "\n")).write(toFile: dir + "/changed.csv", atomically: true, encoding: .utf8)
        let changed = try ingest.ingest(path: dir + "/changed.csv")
        #expect(changed.conflicts == 1 && changed.quarantined == 1 && changed.duplicates == 1, "\(changed)")
        let entry = try #require(try store.readings.quarantine(limit: 1).first)
        let said = entry.reason.components(separatedBy: "is stored as ").last?.split(separator: ";").first.flatMap { Double($0) }
        #expect(said == Double(storedP1), "\(entry.reason)")
        #expect(entry.reason.contains("this reading says 999.5"))
        let after = try stored("2018-07-08").p1
        #expect(abs(after - expected["2018-07-08"]!.p1) < 1e-6)
    }

    /// Old is no reason to refuse a reading; past the readings' retention is: the next purge
    /// would destroy it. The 2018 archive under a 5-year and a 20-year retention.
    @Test func readingsPastTheirRetentionAreRefusedWithThatReason() throws {
        let dir = try scratchDirectory("file-retention")
        let day = Self.archive + "/2018-07-08_sds011_sensor_15092.csv"
        let values = try Self.sums(day).values.reduce(0) { $0 + $1.values }
        let short = try SQLiteStore(dataDirectory: dir + "/short")
        let fiveYears = try #require(RetentionPolicy(keep: "5y", basis: "Selectielijst 2020, 11.1"))
        let refused = try FileIngest(store: short.readings, validator: ReadingValidator(registry: try Self.registry(), retention: fiveYears)).ingest(path: day)
        #expect(refused.readings == 0 && refused.quarantined == values, "\(refused)")
        let entry = try #require(try short.readings.quarantine(limit: 1).first)
        #expect(entry.reason.contains("older than the retention of readings (keep 5y; Selectielijst 2020, 11.1)"), "\(entry.reason)")
        #expect(entry.reason.contains("retention.readings"))
        let long = try SQLiteStore(dataDirectory: dir + "/long")
        let twentyYears = try #require(RetentionPolicy(keep: "20y", basis: "test"))
        let kept = try FileIngest(store: long.readings, validator: ReadingValidator(registry: try Self.registry(), retention: twentyYears)).ingest(path: day)
        #expect(kept.readings == values && kept.quarantined == 0, "\(kept)")
    }

    @Test func badRowsAreQuarantinedWithFileAndLineWhileGoodRowsLand() throws {
        let dir = try scratchDirectory("file-bad")
        let path = dir + "/mixed.csv"
        try """
        sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2
        15092;SDS011;7647;56.963;-2.211;2018-07-08T00:01:26;11.40;;;8.53;;
        99999;SDS011;1;56.9;-2.2;2018-07-08T00:02:00;1;;;1;;
        15092;SDS011;7647;56.963;-2.211;2018-07-08T00:03:55;12.00;;;abc;;
        15092;SDS011;7647;56.963;-2.211;not-a-time;1;;;1;;
        15092;SDS011;7647;56.963;-2.211;2018-07-08T00:06:24;5000;;;7.0;;
        15092;SDS

        15092;SDS011;7647;56.963;-2.211;2018-07-08T00:08:53;12.50;;;7.10;;
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try SQLiteStore(dataDirectory: dir + "/db")
        let report = try FileIngest(store: store.readings, validator: ReadingValidator(registry: try Self.registry())).ingest(path: path)
        #expect(report.rows == 7 && report.readings == 6 && report.quarantined == 5)
        let entries = try store.readings.quarantine(limit: 10)
        let byOrigin = Dictionary(grouping: entries, by: \.origin).mapValues { $0.map(\.reason) }
        #expect(byOrigin["mixed.csv:3"]?.first?.contains("sensor 99999 is not in Sensors/") == true)
        #expect(byOrigin["mixed.csv:4"]?.first?.contains("P2 is not a number") == true)
        #expect(byOrigin["mixed.csv:5"]?.first?.contains("timestamp is not ISO 8601") == true)
        #expect(byOrigin["mixed.csv:6"]?.first?.contains("pm10 = 5000.0 is outside the valid range") == true)
        #expect(byOrigin["mixed.csv:7"]?.first?.contains("cut off") == true)
        #expect(entries.allSatisfy { $0.source == "file" })
    }

    @Test func anInterruptedLoadResumesWithoutDuplicates() throws {
        let dir = try scratchDirectory("file-resume")
        let store = try SQLiteStore(dataDirectory: dir)
        let path = try Self.files().first { $0.contains("2018-07-08_sds011") }!
        var ingest = FileIngest(store: FailingStore(store.readings, failAfter: 2), validator: ReadingValidator(registry: try Self.registry()))
        ingest.batchReadings = 500
        #expect(throws: FailingStore.Crash.self) { try ingest.ingest(path: path) }
        let partial = try store.readings.readingCount()
        #expect(partial == 1000)
        var resumed = FileIngest(store: store.readings, validator: ReadingValidator(registry: try Self.registry()))
        resumed.batchReadings = 500
        let report = try resumed.ingest(path: path)
        #expect(report.resumedAt > 0)
        var stored: [Int64] = []
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { stored.append($0.timestamp) }
        #expect(Set(stored).count == stored.count)   // no reading twice
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count - 1
        let total = try store.readings.readingCount()
        #expect(stored.count == lines && total == 2 * lines)
    }

    @Test func ndjsonLinesAreValidatedLikeMessages() throws {
        let dir = try scratchDirectory("file-ndjson")
        try """
        {"sensor":"15092","ts":"2026-11-22T10:00:00Z","values":{"P2":12.5,"P1":20}}
        {"sensor":"nobody","ts":"2026-11-22T10:00:00Z","values":{"P2":1}}
        {"sensor":"sc-15092","ts":"2026-11-22T10:01:00Z","values":{"P2":-3}}
        """.write(toFile: dir + "/r.ndjson", atomically: true, encoding: .utf8)
        let store = try SQLiteStore(dataDirectory: dir + "/db")
        let report = try FileIngest(store: store.readings, validator: ReadingValidator(registry: try Self.registry())).ingest(path: dir + "/r.ndjson")
        #expect(report.format == "NDJSON" && report.rows == 3 && report.readings == 2 && report.quarantined == 2)
        #expect(Set(try store.readings.quarantine(limit: 5).map(\.origin)) == ["r.ndjson:2", "r.ndjson:3"])
    }
}

/// A store whose appends fail like a crash or a full disk: every one after the first
/// `failAfter` (resume tests), or only the first `failFirst` (retry tests).
final class FailingStore: ReadingStore, @unchecked Sendable {
    struct Crash: Error {}
    let inner: SQLiteReadingStore
    private var succeedFirst: Int, failures: Int
    init(_ inner: SQLiteReadingStore, failAfter: Int) { self.inner = inner; succeedFirst = failAfter; failures = .max }
    init(_ inner: SQLiteReadingStore, failFirst: Int) { self.inner = inner; succeedFirst = 0; failures = failFirst }
    func append(_ batch: IngestBatch) throws -> AppendResult {
        if succeedFirst > 0 {
            succeedFirst -= 1
        } else if failures > 0 {
            failures -= 1
            throw Crash()
        }
        return try inner.append(batch)
    }
    func sealExpired(now: Int64) throws -> Int { try inner.sealExpired(now: now) }
    func committedOffset(source: String) throws -> Int64 { try inner.committedOffset(source: source) }
    func scan(quantities: Set<String>, window: TimeWindow, _ visit: (Reading) throws -> Void) throws { try inner.scan(quantities: quantities, window: window, visit) }
    func aggregate(_ query: AggregateQuery) throws -> [AggregateRow] { try inner.aggregate(query) }
    func readingCount() throws -> Int { try inner.readingCount() }
    func quarantine(limit: Int) throws -> [QuarantineEntry] { try inner.quarantine(limit: limit) }
    func quarantine(after id: Int64, limit: Int) throws -> [QuarantineEntry] { try inner.quarantine(after: id, limit: limit) }
    func quarantineEntry(id: Int64) throws -> QuarantineEntry? { try inner.quarantineEntry(id: id) }
    func replayQuarantine(id: Int64, readings: [Reading], quarantined: [QuarantineEntry]) throws -> AppendResult {
        try inner.replayQuarantine(id: id, readings: readings, quarantined: quarantined)
    }
    func ingestedFile(sha256: String) throws -> IngestedFile? { try inner.ingestedFile(sha256: sha256) }
    func recordIngestedFile(_ file: IngestedFile) throws { try inner.recordIngestedFile(file) }
}

/// SenML files: a pretty-printed pack (RFC 8428's own example) and one pack per line.
struct SenMLFileIngestTests {
    static let device = "urn:dev:ow:10e2073a01080063"

    static func ingest() throws -> (FileIngest, SQLiteStore) {
        let meter = Sensor(id: "meter", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "senml/meter", kind: "energie",
                           quantities: ["voltage": QuantitySpec(unit: "V", minimum: 0, maximum: 400, resolution: 0.1, field: device + ":voltage"),
                                        "current": QuantitySpec(unit: "A", minimum: 0, maximum: 100, resolution: 0.1, field: device + ":current")],
                           codec: "senml", device: device)
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("senml-file"))
        let registry = SensorRegistry(sensors: [meter], boundaries: try DefaultBoundaries.haarlemWijken())
        return (FileIngest(store: store.readings, validator: ReadingValidator(registry: registry)), store)
    }

    @Test func aPrettyPrintedPackIsOneDocument() throws {
        let (ingest, store) = try Self.ingest()
        let report = try ingest.ingest(path: PayloadCodecTests.sensors + "/senml/ex2.gen.json")
        #expect(report.format == "SenML pack")
        #expect(report.readings == 2 && report.quarantined == 0)
        var values: [String: Double] = [:]
        try store.readings.scan(quantities: ["voltage", "current"], window: TimeWindow(start: 0, end: Int64.max / 2)) { values[$0.series.quantity] = $0.value }
        #expect(values == ["voltage": 120.1, "current": 1.2])   // ex2.gen.resolved.json
    }

    @Test func packsPerLineWithBadLinesAndUnknownDevices() throws {
        let (ingest, store) = try Self.ingest()
        let path = try scratchDirectory("senml-lines") + "/meter.senml"
        let lines = [
            #"[{"bn":"\#(Self.device):","bt":1795341600,"n":"voltage","u":"V","v":230.5},{"n":"current","u":"A","v":3.25,"t":10}]"#,
            #"[{"bn":"urn:dev:ow:ffff:","bt":1795341600,"n":"voltage","u":"V","v":1}]"#,
            #"[{"bn":"\#(Self.device):","bt":1795341660,"n":"voltage","u":"V","v":231}, {"n":"voltage","v":"high"}]"#,
            #"[{"bn":"\#(Self.device):","bt":1795341720,"n":"voltage","u":"mV","v":231000}]"#,
            #"[{"bn":"\#(Self.device):","bt":1795341780,"n":"voltage","u":"V","v":232}]"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let report = try ingest.ingest(path: path)
        #expect(report.format == "SenML packs, one per line")
        #expect(report.readings == 3 && report.quarantined == 3)
        #expect(try store.readings.readingCount() == 3)
        let entries = try store.readings.quarantine(limit: 10)
        let reasons = entries.map { "\($0.origin) \($0.reason)" }.sorted()
        #expect(reasons.contains { $0.hasPrefix("meter.senml:2 record 0 SenML device urn:dev:ow:ffff is not in Sensors/") }, "\(reasons)")
        #expect(reasons.contains { $0.hasPrefix("meter.senml:3 senml: SenML record 1: 'v' must be a finite number") }, "\(reasons)")
        #expect(reasons.contains { $0.hasPrefix("meter.senml:4 record 0 voltage arrives in mV but sensor meter is registered with V") }, "\(reasons)")
    }
}

struct HTTPPullNamingTests {
    @Test func passwordsNeverReachMessagesAndFileNamesAreSafe() {
        #expect(HTTPFetcher.redacted("https://user:s3cret@data.example.nl/a.csv") == "https://user:…@data.example.nl/a.csv")
        #expect(HTTPFetcher.redacted("https://data.example.nl/a@b.csv") == "https://data.example.nl/a@b.csv")
        #expect(HTTPPull.fileName(of: "https://data.example.nl/archive/2018-07-08_sds011.csv?token=x") == "2018-07-08_sds011.csv")
        #expect(HTTPPull.fileName(of: "https://data.example.nl/") == "download")
        #expect(HTTPPull.fileName(of: "https://data.example.nl") == "download")
        #expect(HTTPPull.fileName(of: "https://x.nl/..%2F..%2Fetc") == "download")   // never a hidden or parent name
        #expect(!HTTPPull.fileName(of: "https://x.nl/a b;c").contains(" "))
    }
}
