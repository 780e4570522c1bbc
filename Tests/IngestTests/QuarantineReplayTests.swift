import Foundation
import Geo
@testable import Ingest
import LantaarnModel
import Store
import Testing

/// Fix the registry, replay: what passes now is stored exactly once, the rest stays quarantined.
struct QuarantineReplayTests {
    static func sensor(_ id: String, _ quantities: [String]) -> Sensor {
        Sensor(id: id, lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "lantaarn/sensors/\(id)/readings", kind: "lucht",
               quantities: Dictionary(uniqueKeysWithValues: quantities.map { ($0, QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1)) }))
    }

    @Test func replayStoresOnlyWhatWasRejected() throws {
        let boundaries = try DefaultBoundaries.haarlemWijken()
        let before = SensorRegistry(sensors: [Self.sensor("air", ["pm25"])], boundaries: boundaries)
        let after = SensorRegistry(sensors: [Self.sensor("air", ["pm25", "o3"]), Self.sensor("ghost", ["pm25"])], boundaries: boundaries)
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("replay"))
        let received: Int64 = 1_795_341_700_000
        let messages = [
            ("lantaarn/sensors/air/readings", #"{"ts":"2026-11-22T10:00:00Z","values":{"pm25":12,"o3":40}}"#),
            ("lantaarn/sensors/air/readings", #"{"ts":"2026-11-22T10:01:00Z","values":{"pm25":13,"o3":4000}}"#),
            ("lantaarn/sensors/ghost/readings", #"{"ts":"2026-11-22T10:00:00Z","values":{"pm25":1}}"#),
            ("lantaarn/sensors/air/readings", "not json"),
        ]
        let validator = ReadingValidator(registry: before)
        var readings: [Reading] = [], rejected: [QuarantineEntry] = []
        for (topic, payload) in messages {
            let out = validator.validate(LogRecord(receivedAt: received, origin: topic, payload: Array(payload.utf8)), source: "mqtt")
            readings += out.readings
            rejected += out.quarantined
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: rejected, source: "mqtt", offset: 1))
        #expect(try store.readings.readingCount() == 2)
        #expect(try store.readings.quarantine(limit: 10).count == 4)
        #expect(try store.readings.quarantine(limit: 10).contains { $0.value == .init(field: "o3", timestamp: 1_795_341_600_000) })

        let replay = QuarantineReplay(store: store.readings, validator: ReadingValidator(registry: after))
        let dry = try replay.run(dryRun: true)
        #expect(dry == QuarantineReplay.Report(examined: 4, resolved: 2, stillRejected: 2, conflictsKept: 0, corrected: 0, readingsStored: 2))
        #expect(try store.readings.readingCount() == 2 && store.readings.quarantine(limit: 10).count == 4)

        let report = try replay.run(dryRun: false)
        #expect(report == QuarantineReplay.Report(examined: 4, resolved: 2, stillRejected: 2, conflictsKept: 0, corrected: 0, readingsStored: 2))
        var stored: [String] = []
        try store.readings.scan(quantities: ["pm25", "o3"], window: TimeWindow(start: 0, end: Int64.max / 2)) {
            stored.append("\($0.series.sensorID)/\($0.series.quantity)=\($0.value)")
        }
        #expect(stored.sorted() == ["air/o3=40.0", "air/pm25=12.0", "air/pm25=13.0", "ghost/pm25=1.0"])
        let left = try store.readings.quarantine(limit: 10)
        #expect(left.count == 2)
        #expect(left.contains { $0.reason.contains("o3 = 4000.0 is outside the valid range") })
        #expect(left.contains { $0.reason.contains("not valid JSON") })
        // A second replay changes nothing.
        #expect(try replay.run(dryRun: false).readingsStored == 0)
        #expect(try store.readings.readingCount() == 4 && store.readings.quarantine(limit: 10).count == 2)
    }

    /// Rows of loaded files: the data team adds the missing sensor and a quantity, replays,
    /// and exactly the rejected values land (a CSV entry carries its header line).
    @Test func fileRowsReplayAfterTheRegistryIsFixed() throws {
        let dir = try scratchDirectory("replay-files")
        let boundaries = try DefaultBoundaries.haarlemWijken()
        func sc(_ id: String, _ device: String, _ fields: [String: String]) -> Sensor {
            Sensor(id: id, lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "t/\(id)", kind: "lucht",
                   quantities: fields.mapValues { QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.01, field: $0) },
                   extraFields: .quarantine, device: device)
        }
        let before = SensorRegistry(sensors: [sc("sc-1", "1", ["pm10": "P1"])], boundaries: boundaries)
        let after = SensorRegistry(sensors: [sc("sc-1", "1", ["pm10": "P1", "pm25": "P2"]), sc("sc-2", "2", ["pm10": "P1", "pm25": "P2"])],
                                   boundaries: boundaries)
        try """
        sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2
        1;SDS011;1;52.38;4.63;2026-11-22T10:00:00;10.5;;;4.25;;
        2;SDS011;1;52.38;4.63;2026-11-22T10:00:00;11;;;5;;
        1;SDS011;1;52.38;4.63;2026-11-22T10:05:00;12;;;900;;

        """.write(toFile: dir + "/day.csv", atomically: true, encoding: .utf8)
        let store = try SQLiteStore(dataDirectory: dir + "/db")
        let load = try FileIngest(store: store.readings, validator: ReadingValidator(registry: before)).ingest(path: dir + "/day.csv")
        #expect(load.readings == 2 && load.quarantined == 3)   // two P2 not registered, sensor 2 unknown

        let report = try QuarantineReplay(store: store.readings, validator: ReadingValidator(registry: after)).run(dryRun: false)
        #expect(report == QuarantineReplay.Report(examined: 3, resolved: 2, stillRejected: 1, conflictsKept: 0, corrected: 0, readingsStored: 3))
        var stored: [String] = []
        try store.readings.scan(quantities: ["pm10", "pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) {
            stored.append("\($0.series.sensorID)/\($0.series.quantity)=\($0.value)")
        }
        #expect(stored.sorted() == ["sc-1/pm10=10.5", "sc-1/pm10=12.0", "sc-1/pm25=4.25", "sc-2/pm10=11.0", "sc-2/pm25=5.0"])
        let left = try store.readings.quarantine(limit: 10)
        #expect(left.count == 1 && left[0].origin == "day.csv:4" && left[0].reason.contains("pm25 = 900.0 is outside the valid range"),
                "\(left.map(\.reason))")
    }

    /// A conflict stays until the data team replaces it on purpose, entry by entry or all at
    /// once, each with a record; a reading an old store refused as late is stored on replay.
    @Test func conflictsStayUntilReplacedWithARecord() throws {
        let registry = SensorRegistry(sensors: [Self.sensor("air", ["pm25"])], boundaries: try DefaultBoundaries.haarlemWijken())
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("replay-replace"))
        let day1 = ISO8601.parse("2026-11-20T00:00:00Z")!, day3 = day1 + 2 * 86_400_000
        func reading(_ t: Int64, _ v: Double) -> Reading {
            Reading(series: SeriesKey(sensorID: "air", quantity: "pm25"), timestamp: t, value: v, wijk: WijkCode("WK039201"))
        }
        try store.readings.append(IngestBatch(readings: (0..<60).map { reading(day1 + Int64($0) * 60_000, 10) }
                                         + (0..<60).map { reading(day3 + Int64($0) * 60_000, 20) }, quarantined: [], source: "t", offset: 1))
        // One conflict in the sealed day 1, one in the open buffer of day 3.
        let conflicts = try store.readings.append(IngestBatch(readings: [reading(day1 + 5 * 60_000, 11.5), reading(day3 + 7 * 60_000, 21.5)],
                                                     quarantined: [], source: "t", offset: 2))
        #expect(conflicts.conflicts == 2)
        // A reading a store from before backfill refused as late (same payload, another reason).
        let late = QuarantineEntry(receivedAt: day3, source: "t", origin: "store", sensorID: "air",
                                   reason: "air/pm25 reading at 2026-11-20T02:00:00Z arrived after its window was sealed",
                                   payload: Array(#"{"sensor":"air","quantity":"pm25","ts":"2026-11-20T02:00:00.000Z","value":7.5}"#.utf8))
        try store.readings.append(IngestBatch(readings: [], quarantined: [late], source: "t", offset: 3))

        let replay = QuarantineReplay(store: store.readings, validator: ReadingValidator(registry: registry))
        let kept = try replay.run(QuarantineReplay.Selection(), dryRun: false)
        #expect(kept == QuarantineReplay.Report(examined: 3, resolved: 1, stillRejected: 0, conflictsKept: 2, corrected: 0, readingsStored: 1))
        func value(at t: Int64) throws -> [Double] {
            var out: [Double] = []
            try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: t, end: t + 1)) { out.append($0.value) }
            return out
        }
        #expect(try value(at: day1 + 2 * TimeBucket.hour) == [7.5])
        #expect(try value(at: day1 + 5 * 60_000) == [10])

        // Replace one entry by id, then the rest.
        let entries = try store.readings.quarantine(limit: 10)
        #expect(entries.count == 2 && entries.allSatisfy(\.isConflict))
        let sealedOne = try #require(entries.first { $0.reason.contains("2026-11-20T00:05:00") }?.id)
        let one = try replay.run(QuarantineReplay.Selection(ids: [sealedOne], replace: "sensor recalibrated; the archive holds the right values"), dryRun: false)
        #expect(one.corrected == 1 && one.examined == 1)
        #expect(try value(at: day1 + 5 * 60_000) == [11.5])
        #expect(try value(at: day3 + 7 * 60_000) == [20])
        let rest = try replay.run(QuarantineReplay.Selection(replace: "second archive is authoritative"), dryRun: false)
        #expect(rest.corrected == 1)
        #expect(try value(at: day3 + 7 * 60_000) == [21.5])
        #expect(try store.readings.quarantine(limit: 10).isEmpty)
        #expect(try store.readings.readingCount() == 121)

        let records = try store.readings.corrections(limit: 10)
        #expect(records.map(\.oldValue) == [20, 10] && records.map(\.newValue) == [21.5, 11.5])
        #expect(records.last?.note == "sensor recalibrated; the archive holds the right values")
        #expect(records.last?.timestamp == day1 + 5 * 60_000 && records.last?.series == SeriesKey(sensorID: "air", quantity: "pm25"))
    }
}

