import Foundation
import Geo
@testable import Ingest
import LantaarnModel
import Store

/// `lantaarn ingest FILE`: format detection and the Sensor.Community CSV, NDJSON and SenML
/// readers with validation, through ``FileIngest`` itself, into a store that keeps nothing.
enum FileTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "sensor-files", covers: "lantaarn ingest: Sensor.Community CSV, NDJSON and SenML files, validated",
                   run: { bytes in
                       _ = try? ingest.ingest(bytes, name: "fuzz", sha256: "fuzz", progress: { _, _, _ in })
                   },
                   seeds: { paths in
                       paths.shared("sensors/sensor_community_archive", ".csv").map { ($0.0, Array($0.1.prefix(4_096))) }
                           + paths.shared("sensors/senml", ".json")
                           + inline(("ndjson", """
                               {"sensor":"fz-ndjson","ts":"2026-11-22T10:00:00Z","values":{"pm25":12.3}}
                               {"sensor":"fz-ndjson","ts":1763805600000,"values":{"pm25":-4}}
                               {"sensor":"onbekend","ts":1,"values":{}}
                               """))
                   }),
    ]

    private static let ingest: FileIngest = {
        var ingest = FileIngest(store: NullStore(), validator: ReadingValidator(registry: registry))
        ingest.batchReadings = 1_000   // the default reserves room for a million readings per file
        return ingest
    }()

    /// The Sensor.Community sensors of the shared archive, one NDJSON sensor and one SenML device.
    private static let registry: SensorRegistry = {
        func q(_ unit: String, _ min: Double, _ max: Double, _ field: String) -> QuantitySpec {
            QuantitySpec(unit: unit, minimum: min, maximum: max, resolution: 0.01, field: field)
        }
        let pm = ["pm10": q("µg/m³", 0, 2000, "P1"), "pm25": q("µg/m³", 0, 1000, "P2")]
        let climate = ["temperature": q("°C", -40, 60, "temperature"), "humidity": q("%", 0, 100, "humidity"),
                       "pressure": q("Pa", 80_000, 110_000, "pressure")]
        func sensor(_ id: String, _ device: String, _ quantities: [String: QuantitySpec]) -> Sensor {
            Sensor(id: id, lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "fuzz/" + id, kind: "lucht",
                   quantities: quantities, device: device)
        }
        let sensors = [
            sensor("sc-15092", "15092", pm), sensor("sc-5331", "5331", pm),
            sensor("sc-15093", "15093", climate), sensor("sc-5332", "5332", climate),
            sensor("fz-ndjson", "fz-ndjson", ["pm25": q("µg/m³", 0, 1000, "pm25")]),
            sensor("fz-senml", "urn:dev:ow:10e2073a01080063", ["temperature": q("°C", -40, 60, "urn:dev:ow:10e2073a01080063")]),
        ]
        return SensorRegistry(sensors: sensors, boundaries: try! DefaultBoundaries.haarlemWijken())
    }()
}

/// A store that accepts every batch and keeps nothing: the fuzzer is after the readers.
private struct NullStore: ReadingStore {
    func append(_ batch: IngestBatch) throws -> AppendResult { AppendResult(stored: batch.readings.count) }
    func sealExpired(now: Int64) throws -> Int { 0 }
    func committedOffset(source: String) throws -> Int64 { 0 }
    func scan(quantities: Set<String>, window: TimeWindow, _ visit: (Reading) throws -> Void) throws {}
    func aggregate(_ query: AggregateQuery) throws -> [AggregateRow] { [] }
    func readingCount() throws -> Int { 0 }
    func quarantine(limit: Int) throws -> [QuarantineEntry] { [] }
    func quarantine(after id: Int64, limit: Int) throws -> [QuarantineEntry] { [] }
    func quarantineEntry(id: Int64) throws -> QuarantineEntry? { nil }
    func replayQuarantine(id: Int64, readings: [Reading], quarantined: [QuarantineEntry]) throws -> AppendResult {
        AppendResult(stored: readings.count)
    }
    func ingestedFile(sha256: String) throws -> IngestedFile? { nil }
    func recordIngestedFile(_ file: IngestedFile) throws {}
}
