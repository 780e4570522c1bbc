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
        try store.append(IngestBatch(readings: readings, quarantined: rejected, source: "mqtt", offset: 1))
        #expect(try store.readingCount() == 2)
        #expect(try store.quarantine(limit: 10).count == 4)
        #expect(try store.quarantine(limit: 10).contains { $0.value == .init(field: "o3", timestamp: 1_795_341_600_000) })

        let replay = QuarantineReplay(store: store, validator: ReadingValidator(registry: after))
        let dry = try replay.run(dryRun: true)
        #expect(dry == QuarantineReplay.Report(examined: 4, resolved: 2, stillRejected: 2, skipped: 0, readingsStored: 2))
        #expect(try store.readingCount() == 2 && store.quarantine(limit: 10).count == 4)

        let report = try replay.run(dryRun: false)
        #expect(report == QuarantineReplay.Report(examined: 4, resolved: 2, stillRejected: 2, skipped: 0, readingsStored: 2))
        var stored: [String] = []
        try store.scan(quantities: ["pm25", "o3"], window: TimeWindow(start: 0, end: Int64.max / 2)) {
            stored.append("\($0.series.sensorID)/\($0.series.quantity)=\($0.value)")
        }
        #expect(stored.sorted() == ["air/o3=40.0", "air/pm25=12.0", "air/pm25=13.0", "ghost/pm25=1.0"])
        let left = try store.quarantine(limit: 10)
        #expect(left.count == 2)
        #expect(left.contains { $0.reason.contains("o3 = 4000.0 is outside the valid range") })
        #expect(left.contains { $0.reason.contains("not valid JSON") })
        // A second replay changes nothing.
        #expect(try replay.run(dryRun: false).readingsStored == 0)
        #expect(try store.readingCount() == 4 && store.quarantine(limit: 10).count == 2)
    }
}
